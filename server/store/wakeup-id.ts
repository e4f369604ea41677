// Wake-up ids as the API shows them (`wk_<row>`) and back: the row id stays an internal bigint.

/** The public id of a wake-up row. */
export function wakeupId(row: unknown): string {
  return `wk_${String(row)}`;
}

/** The row id of a public wake-up id, or undefined when it is not one. */
export function wakeupRowId(id: string): number | undefined {
  const m = /^wk_([1-9][0-9]{0,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}
