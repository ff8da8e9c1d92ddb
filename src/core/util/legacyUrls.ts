/** Reading the URLs the old tool stored: plain strings, whole S3 response objects, lists of either. */

const URL_PATTERN = /^(https?|s3):\/\/\S+$/i;

export function isUrl(value: unknown): value is string {
  return typeof value === 'string' && URL_PATTERN.test(value);
}

/**
 * The URLs of response.json in order, without repeats. Its documented form is a list (of URL
 * strings or response objects); list items holding no URL are returned as `notUrls` to report.
 */
export function urlsInResponse(value: unknown): { urls: string[]; notUrls: { position: number; item: unknown }[] } {
  const urls: string[] = [];
  const notUrls: { position: number; item: unknown }[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, position) => {
      const url = firstUrlIn(item);
      if (url) urls.push(url);
      else notUrls.push({ position, item });
    });
  } else {
    collectUrls(value, urls);
  }
  return { urls: [...new Set(urls)], notUrls };
}

/** The first URL-looking string in a value, depth first in key order (S3's `Location`, `url`, `href`...). */
export function firstUrlIn(value: unknown): string | undefined {
  const found: string[] = [];
  collectUrls(value, found);
  return found[0];
}

function collectUrls(value: unknown, into: string[]): void {
  if (isUrl(value)) into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => collectUrls(item, into));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((item) => collectUrls(item, into));
}

/** The last path segment of a URL, decoded: the file it names. */
export function fileNameOfUrl(url: string): string | undefined {
  const name = URL.canParse(url) ? safeDecode(new URL(url).pathname.split('/').pop() ?? '') : '';
  return name === '' ? undefined : name;
}

/**
 * The object key in an S3 URL: `s3://bucket/key`, `https://bucket.s3[.region].amazonaws.com/key`
 * or `https://s3[.region].amazonaws.com/bucket/key`. Other hosts may put the bucket in the path
 * or not, so they give no key rather than a wrong one.
 */
export function objectKeyFromUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  const segments = parsed.pathname.split('/').filter(Boolean).map(safeDecode);
  const host = parsed.hostname.toLowerCase();
  if (parsed.protocol === 's3:' || /\.s3([.-][a-z0-9-]+)?\.amazonaws\.com$/.test(host)) {
    return segments.length > 0 ? segments.join('/') : undefined;
  }
  if (/^s3([.-][a-z0-9-]+)?\.amazonaws\.com$/.test(host)) {
    return segments.length > 1 ? segments.slice(1).join('/') : undefined;
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray % is part of the name
  }
}
