// Vite's client types (`?raw`, `?worker`, import.meta.glob) for the playground's sources.
/// <reference types="vite/client" />
