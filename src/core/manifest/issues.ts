// Issue names as evaluations record them in manifests (core/evaluate defines the full list).

/**
 * Issues that make an image unusable for an identity set: it is deleted whatever its quality.
 * `identity_drift` needs a scored face; a face that cannot be scored (`unscorable`: none found,
 * too small, turned too far) is never deleted automatically, it needs a person's review. A
 * `near_clone` is deleted only when its category is over quota (it ranks low). The others
 * (looking at the camera, symmetric framing, low information, odd aspect ratio, a category the
 * pixels contradict (`category_mismatch`: a user settles it with Set Category), "other") only
 * lower its rank when a category is over quota. Duplicates are handled through `duplicateOf`.
 */
export const DELETING_ISSUES: ReadonlySet<string> = new Set<string>([
  'blurry',
  'too_dark',
  'too_light',
  'low_resolution',
  'identity_drift',
  'identity_mismatch',
  'distortion',
  'artifacts',
  'text_or_watermark',
]);
