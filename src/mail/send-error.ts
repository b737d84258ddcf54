const MAX_LENGTH = 300;

interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

/**
 * A short, single-line description of a failed send for `last_error` (visible to admins through the
 * API): the nodemailer error code, the SMTP reply code and the message, with any of `secrets`
 * (the SMTP password) blanked out.
 */
export function describeSendError(error: unknown, secrets: string[] = []): string {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorFields;
  const message = error instanceof Error ? error.message : String(error);
  const parts = [
    typeof fields.code === 'string' ? fields.code : undefined,
    typeof fields.responseCode === 'number' ? String(fields.responseCode) : undefined,
    message,
  ].filter((part): part is string => Boolean(part));
  let text = parts.join(': ');
  for (const secret of secrets) {
    if (secret) text = text.split(secret).join('[redacted]');
  }
  text = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
