// Pure (no Node APIs): also bundled into the Generator panel's page.

/**
 * Why a generation failed; one of these is recorded with every failed attempt. `cancelled` is
 * the user's choice, not a fault, and is never retried.
 */
export const FAILURE_REASONS = [
  'content_filter',
  'rate_limit',
  'timeout',
  'network',
  'auth',
  'billing',
  'invalid_input',
  'model_error',
  'output_download',
  'storage',
  'cancelled',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
