// Generated policy sets for benchmarks: N journeys over the spec catalog, varied enough that
// every check and codegen path is exercised (enums, optionals, quantifiers, conditions).
const TEMPLATES: ((i: number) => string)[] = [
  (i) => `journey renewal_${i} {
  title    "Renewal reminder ${i}"
  purpose  renewal_marketing
  priority ${i % 100}
  on       daily
  when     policy.status == "active" and days_until(policy.renewal_date) == ${(i % 120) + 1} and customer.tenure_months >= ${i % 36}
  do       email(template: "renewal-${i}")
  cap      1 per ${(i % 60) + 1}d
  quiet    21:00 .. 08:00
  holdout  ${i % 20}%
  reason   "Your policy renews in {days_until(policy.renewal_date)} days."
}`,
  (i) => `journey claim_${i} {
  purpose service_updates
  priority ${i % 50}
  on      claim.filed after ${(i % 9) + 1}d, ${(i % 9) + 10}d
  when    claim.status in ["filed", "assessing"] and hours_since(claim.filed_at) >= ${i % 48}
  do      sms(template: "claim-${i}")
}`,
  (i) => `journey onboarding_${i} {
  purpose  service_updates
  on       daily
  when     onboarding.completed_steps < onboarding.total_steps and days_since(onboarding.last_progress_at) >= ${(i % 14) + 1}
       and (customer.nps is not set or customer.nps < ${(i % 10) + 1})
  do       push(template: "nudge-${i}")
  cap      1 per 7d
}`,
  (i) => `journey recovery_${i} {
  purpose  service_recovery
  risk     high
  on       ticket.resolved
  when     event.csat <= ${(i % 5) + 1} and customer.segment != "corporate"
       and (count x in customer.recent_interactions: x.sentiment == "negative" and hours_since(x.at) <= ${(i % 30) * 24 + 24}) >= ${(i % 3) + 1}
  do       agent_callback(queue: "recovery-${i}")
  review   required
}`,
  (i) => `journey loyal_${i} {
  purpose  renewal_marketing
  on       daily
  when     loyal_customer and lower(customer.timezone) != "utc" and customer.tenure_months > ${i % 120}
  do       push(template: "loyal-${i}")
}`,
];

/** `n` journeys (plus one shared condition), split over files of 100 journeys. */
export function generateJourneys(n: number): { name: string; text: string }[] {
  const files: { name: string; text: string }[] = [];
  let current: string[] = ['condition loyal_customer = customer.tenure_months >= 24 and customer.segment in ["retail", "sme"]'];
  for (let i = 0; i < n; i++) {
    current.push(TEMPLATES[i % TEMPLATES.length]!(i));
    if (current.length >= 100 || i === n - 1) {
      files.push({ name: `generated/set-${String(files.length).padStart(3, "0")}.journey`, text: current.join("\n\n") + "\n" });
      current = [];
    }
  }
  return files;
}
