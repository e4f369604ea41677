-- Recomputing proof of value in SQL (PostgreSQL 11 or later), over the decision service's store:
-- the tables `assignments` and `outcomes` (docs/store.md#proof-of-value). It checks every
-- assignment's arm against the holdout buckets recomputed from subject, journey and salt, and
-- gives each journey's per-arm figures, the Newcombe interval of the uplift (what the scoreboard
-- shows: docs/value.md#how-uplift-is-computed), the Katz interval of the relative uplift, the
-- global control group's total incremental conversions, and the cost of the actions taken. Run it with psql in ONE session (it uses temporary tables):
--
--   psql "$KAIROS_STORE_URL" -f docs/value.sql
--
-- after editing the [settings] section: one row per journey with the `holdout`, `goal` and the
-- channel costs as your policies and catalog.yaml say, the global control group if the catalog
-- has one, and the instant windows are judged against (the scoreboard's `asOf`).
-- Sections start with `-- [name]`; test/value/sql.test.ts runs each of them against a real store.

-- [setup]
-- The holdout bucket, exactly as the runtime computes it (docs/runtime.md#holdout):
-- int(first 8 hex digits of sha256(utf8(journey || ':' || salt || ':' || subject)), 16) mod 10000.
CREATE OR REPLACE FUNCTION pg_temp.kairos_bucket(journey text, salt text, subject text) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT (('x' || substr(encode(sha256(convert_to(journey || ':' || salt || ':' || subject, 'UTF8')), 'hex'), 1, 8))::bit(32)::bigint % 10000)::integer $$;

-- Wilson's score interval for x out of n (95%): the bound below (sign -1) or above (sign +1) the rate.
CREATE OR REPLACE FUNCTION pg_temp.kairos_wilson(x bigint, n bigint, sign integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT
  AS $$
    SELECT CASE
      WHEN n = 0 THEN NULL
      WHEN sign < 0 AND x = 0 THEN 0
      WHEN sign > 0 AND x = n THEN 1
      ELSE greatest(0, least(1,
        ((x + z * z / 2) + sign * z * sqrt(x::double precision * (n - x) / n + z * z / 4)) / (n + z * z)))
    END
    FROM (SELECT 1.959963984540054::double precision AS z) c
  $$;

CREATE TEMP TABLE value_journeys (
  journey text PRIMARY KEY,
  holdout_percent numeric NOT NULL DEFAULT 0, -- `holdout 10%` → 10; 0 when the journey has none
  holdout_salt text NOT NULL DEFAULT '',      -- the holdout's salt (`holdout 10% salt "…"`; '' when not given)
  goal_type text,                             -- `goal renewal within 30d` → 'renewal'
  window_ms bigint                            -- … → 30 × 86400000
);
CREATE TEMP TABLE value_costs (channel text PRIMARY KEY, cost double precision NOT NULL);
CREATE TEMP TABLE value_settings (
  as_of_ms bigint NOT NULL,                   -- the instant windows are judged against, epoch ms
  control_percent numeric NOT NULL DEFAULT 0, -- `value: control_group: { percent: 5, salt: "2026" }`
  control_salt text NOT NULL DEFAULT ''
);

-- [settings]
-- Yours: the example policy set's journeys (edit to match your policies and catalog.yaml).
INSERT INTO value_journeys VALUES
  ('renewal_reminder_d90', 10, '', 'renewal', 30 * 86400000::bigint),
  ('renewal_reminder_d30', 10, '', 'renewal', 30 * 86400000::bigint),
  ('onboarding_nudge', 10, '', 'conversion', 14 * 86400000::bigint),
  ('claim_status_update', 10, '', 'complaint', 14 * 86400000::bigint),
  ('referral_invite', 20, 'referral-2026', 'conversion', 30 * 86400000::bigint);
INSERT INTO value_costs VALUES ('email', 0.02), ('sms', 0.06), ('push', 0.002), ('call_task', 4.50);
INSERT INTO value_settings VALUES ((extract(epoch FROM now()) * 1000)::bigint, 0, '');

-- [arm_check]
-- Every assignment row whose arm is not the one the buckets give: expected to return no row.
-- (A row may legitimately differ when the holdout or control group changed between artifacts.)
SELECT a.id, a.subject, a.journey, a.arm, e.expected, e.control_bucket, e.holdout_bucket
  FROM assignments a
  JOIN value_journeys j ON j.journey = a.journey
  CROSS JOIN value_settings s
  CROSS JOIN LATERAL (
    SELECT pg_temp.kairos_bucket('global', s.control_salt, a.subject) AS control_bucket,
           pg_temp.kairos_bucket(a.journey, j.holdout_salt, a.subject) AS holdout_bucket
  ) b
  CROSS JOIN LATERAL (
    SELECT b.*, CASE
      WHEN b.control_bucket < s.control_percent * 100 THEN 'global_control'
      WHEN b.holdout_bucket < j.holdout_percent * 100 THEN 'holdout'
      ELSE 'treated'
    END AS expected
  ) e
 WHERE a.arm <> e.expected
 ORDER BY a.id;

-- [arm_figures]
-- Per journey with a goal and arm: subjects whose window has ended (first assignment at or before
-- as_of − window), those with at least one goal outcome in [first assignment, + window), the rate,
-- and the mean and variance of the per-subject outcome value (0 without one).
CREATE TEMP VIEW value_arm_figures AS
WITH firsts AS (
  SELECT DISTINCT ON (a.journey, a.subject) a.journey, a.subject, a.arm, a.at_ms
    FROM assignments a
   ORDER BY a.journey, a.subject, a.id
), per_subject AS (
  SELECT f.journey, f.arm, f.subject, count(o.id) AS n, coalesce(sum(o.value), 0) AS v
    FROM firsts f
    JOIN value_journeys j ON j.journey = f.journey AND j.goal_type IS NOT NULL
   CROSS JOIN value_settings s
    LEFT JOIN outcomes o ON o.subject = f.subject AND o.type = j.goal_type AND o.at_ms >= f.at_ms AND o.at_ms < f.at_ms + j.window_ms
   WHERE f.at_ms <= s.as_of_ms - j.window_ms
   GROUP BY f.journey, f.arm, f.subject
)
SELECT journey, arm,
       count(*) AS subjects,
       count(*) FILTER (WHERE n > 0) AS converted,
       count(*) FILTER (WHERE n > 0)::double precision / count(*) AS rate,
       sum(v) AS value_sum,
       sum(v * v) AS value_sum_sq,
       avg(v) AS mean_value,
       var_samp(v) AS value_variance
  FROM per_subject
 GROUP BY journey, arm;

SELECT * FROM value_arm_figures ORDER BY journey, arm;

-- [uplift]
-- Per journey: treated − held out. Absolute uplift with Newcombe's hybrid score interval (the
-- Wilson interval of each arm, combined square-and-add), relative uplift with Katz's log interval.
WITH arms AS (
  SELECT t.journey,
         t.subjects AS n1, t.converted AS x1, h.subjects AS n0, h.converted AS x0
    FROM value_arm_figures t
    JOIN value_arm_figures h ON h.journey = t.journey AND h.arm = 'holdout'
   WHERE t.arm = 'treated'
), bounds AS (
  SELECT arms.*,
         x1::double precision / n1 AS p1, x0::double precision / n0 AS p0,
         pg_temp.kairos_wilson(x1, n1, -1) AS l1, pg_temp.kairos_wilson(x1, n1, 1) AS u1,
         pg_temp.kairos_wilson(x0, n0, -1) AS l0, pg_temp.kairos_wilson(x0, n0, 1) AS u0
    FROM arms
)
SELECT journey, n1 AS treated, x1 AS treated_converted, n0 AS held_out, x0 AS held_out_converted,
       p1 - p0 AS uplift,
       greatest(-1, p1 - p0 - sqrt((p1 - l1) ^ 2 + (u0 - p0) ^ 2)) AS uplift_low,
       least(1, p1 - p0 + sqrt((u1 - p1) ^ 2 + (p0 - l0) ^ 2)) AS uplift_high,
       CASE WHEN x0 > 0 THEN p1 / p0 - 1 END AS relative,
       CASE WHEN x0 > 0 AND x1 > 0 THEN exp(ln(p1 / p0) - 1.959963984540054 * sqrt(1.0 / x1 - 1.0 / n1 + 1.0 / x0 - 1.0 / n0)) - 1 END AS relative_low,
       CASE WHEN x0 > 0 AND x1 > 0 THEN exp(ln(p1 / p0) + 1.959963984540054 * sqrt(1.0 / x1 - 1.0 / n1 + 1.0 / x0 - 1.0 / n0)) - 1 END AS relative_high
  FROM bounds
 ORDER BY journey;

-- [global]
-- With a global control group: per goal type and window, everyone else (treated or held out by
-- the journey) against the group, journey by journey; the differences times each journey's other
-- subjects (matured or not) are summed, and so are the squared distances to the bounds (MOVER).
WITH firsts AS (
  SELECT DISTINCT ON (journey, subject) journey, subject, arm FROM assignments ORDER BY journey, subject, id
), others AS (
  SELECT journey, count(*) FILTER (WHERE arm <> 'global_control') AS others FROM firsts GROUP BY journey
), arms AS (
  SELECT j.journey, j.goal_type, j.window_ms,
         sum(f.subjects) FILTER (WHERE f.arm <> 'global_control') AS n1, sum(f.converted) FILTER (WHERE f.arm <> 'global_control') AS x1,
         sum(f.subjects) FILTER (WHERE f.arm = 'global_control') AS n0, sum(f.converted) FILTER (WHERE f.arm = 'global_control') AS x0
    FROM value_journeys j
    JOIN value_arm_figures f ON f.journey = j.journey
   GROUP BY j.journey, j.goal_type, j.window_ms
), per_journey AS (
  SELECT arms.goal_type, arms.window_ms, o.others,
         x1::double precision / n1 - x0::double precision / n0 AS d,
         (x1::double precision / n1 - pg_temp.kairos_wilson(x1::bigint, n1::bigint, -1)) ^ 2
           + (pg_temp.kairos_wilson(x0::bigint, n0::bigint, 1) - x0::double precision / n0) ^ 2 AS below_sq,
         (pg_temp.kairos_wilson(x1::bigint, n1::bigint, 1) - x1::double precision / n1) ^ 2
           + (x0::double precision / n0 - pg_temp.kairos_wilson(x0::bigint, n0::bigint, -1)) ^ 2 AS above_sq
    FROM arms
    JOIN others o ON o.journey = arms.journey
   WHERE n1 > 0 AND n0 > 0
)
SELECT goal_type, window_ms,
       sum(others * d) AS incremental,
       sum(others * d) - sqrt(sum(others * others * below_sq)) AS incremental_low,
       sum(others * d) + sqrt(sum(others * others * above_sq)) AS incremental_high,
       sum(others * d) / sum(others) AS uplift
  FROM per_journey
 GROUP BY goal_type, window_ms
 ORDER BY goal_type, window_ms;

-- [cost]
-- Per journey: the actions taken (acted rows) by channel, and what they cost.
SELECT a.journey, a.channel, count(*) AS actions, count(*) * coalesce(c.cost, 0) AS cost
  FROM assignments a
  LEFT JOIN value_costs c ON c.channel = a.channel
 WHERE a.outcome = 'acted'
 GROUP BY a.journey, a.channel, c.cost
 ORDER BY a.journey, a.channel;
