/** The fetch signature the `replicate` SDK accepts in its constructor. */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

interface Outcome {
  failed: boolean;
  error?: unknown;
  response?: { status: number; statusText: string; headers: Headers; body: ArrayBuffer };
}

/**
 * Makes the SDK's built-in retries hit the network once.
 *
 * The `replicate` SDK (1.4, lib/util.js withAutomaticRetries) retries inside Replicate#request:
 * every method on 429, GET also on 5xx, and any error fetch throws (its catch swallows all, so a
 * POST that died with ECONNRESET is sent again and may create a second, paid prediction). It
 * makes 6 requests in all, reads Retry-After only from thrown ApiErrors (fetch never throws one,
 * so the header is ignored), and in practice does not pause (it sleeps only when a delay that
 * includes Math.random() jitter happens to be a whole number). There is no option to turn it off.
 *
 * It does call fetch again with the very same `init` object for each retry. This wrapper makes
 * one real request per `init` and hands the SDK's retries the same outcome again (the same
 * thrown error, or a fresh copy of the same failed response), so the SDK gives up at once with
 * the real ApiError, headers included, and our own loop (retry.ts) decides, waits and counts.
 * Successful responses pass straight through: the SDK returns them without retrying.
 */
export function singleShotFetch(baseFetch: FetchLike): FetchLike {
  const outcomes = new WeakMap<object, Outcome>();
  return async (input, init) => {
    if (!init) {
      return baseFetch(input, init); // FileOutput downloads call fetch(url) bare and never retry
    }
    const earlier = outcomes.get(init);
    if (earlier) {
      if (earlier.failed) {
        throw earlier.error;
      }
      return replay(earlier.response!);
    }
    try {
      const response = await baseFetch(input, init);
      if (response.ok) {
        return response;
      }
      const copy = { status: response.status, statusText: response.statusText, headers: new Headers(response.headers), body: await response.arrayBuffer() };
      outcomes.set(init, { failed: false, response: copy });
      return replay(copy);
    } catch (error) {
      outcomes.set(init, { failed: true, error });
      throw error;
    }
  };
}

function replay(response: NonNullable<Outcome['response']>): Response {
  return new Response(response.body.slice(0), { status: response.status, statusText: response.statusText, headers: response.headers });
}
