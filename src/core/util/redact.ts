/**
 * The one redactor for everything shown, logged or stored: the secrets given (API tokens, the
 * base image's data URI), and anything shaped like a credential even when it was not given.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    // Shorter values would redact ordinary words; real keys and data URIs are far longer.
    if (secret && secret.length >= 4) {
      out = out.split(secret).join(secret.startsWith('data:') ? '[image data]' : '[redacted]');
    }
  }
  return (
    out
      .replace(/data:([\w.+/-]*)((?:;[\w.=-]+)*);base64,[A-Za-z0-9+/=_-]+/g, (match, mime: string) => `data:${mime};base64,[${match.length} chars]`)
      // Replicate tokens, OpenAI keys, AWS access key ids.
      .replace(/\br8_[A-Za-z0-9]{8,}/g, 'r8_[redacted]')
      .replace(/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-[redacted]')
      .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]')
      .replace(/\b(Bearer|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]')
      // A password inside a URL: http://user:pw@host
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s/@]+@/gi, '$1:[redacted]@')
      .replace(/\b(secret|token|signature|credential|password|api[_-]?key)(\w*)(\s*[=:]\s*)(?!\[redacted\])[^\s,;&]+/gi, '$1$2$3[redacted]')
  );
}
