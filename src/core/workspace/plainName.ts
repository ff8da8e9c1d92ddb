// Its own module without Node imports: the manifest schemas use it, and webviews bundle those schemas.

/** A plain name: one path segment, never `.` or `..`, no separator, no NUL. The one rule for ids and file names. */
export const PLAIN_NAME = /^(?!\.\.?$)[^/\\\0]+$/;
