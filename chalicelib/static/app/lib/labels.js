// Labels for the access rules of attached files.

export const POLICIES = [
  ['after_payment', 'After payment'], ['visible', 'Visible now'], ['manual', 'When I release it'],
  ['claim_link', 'Claim link (first to claim)'], ['internal', 'Internal (staff only)'],
];
export const policyLabel = (p) => (POLICIES.find(([v]) => v === p) || [p, p])[1];
export const REFUND_RULES = [
  ['revoke_on_full_refund', 'Revoke on a full refund'], ['revoke_on_any_refund', 'Revoke on any refund'], ['keep', 'Keep access'],
];
export const DECIDED_BY = { payment: 'Payment', staff: 'Staff', claim: 'Claim', policy: 'Policy' };
