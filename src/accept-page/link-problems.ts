import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ProblemView } from '../common/html/html-error.filter.js';

interface Sentences {
  heading: string;
  message: string;
  hint: string | null;
}

/**
 * What the invitee reads when a link cannot be used, one entry per way it can fail. The status
 * is the error's own (410 expired/revoked/declined, 409 accepted, 404 unknown), the same the API
 * answers for that link.
 */
const LINK_PROBLEMS: Partial<Record<ErrorCode, Sentences>> = {
  [ErrorCode.INVITATION_NOT_FOUND]: {
    heading: 'This invitation link does not work',
    message:
      'It may have been copied only in part, or the invitation was sent again since, which makes every older link stop working.',
    hint: 'Open the link in the newest invitation email, or ask the person who invited you to send it again.',
  },
  [ErrorCode.INVITATION_EXPIRED]: {
    heading: 'This invitation has expired',
    message: 'An invitation can be accepted only for a limited time, and this one has run out.',
    hint: 'Ask the person who invited you to send it again.',
  },
  [ErrorCode.INVITATION_REVOKED]: {
    heading: 'This invitation was withdrawn',
    message: 'The organization cancelled it, so it can no longer be accepted.',
    hint: 'If you think this is a mistake, contact the person who invited you.',
  },
  [ErrorCode.INVITATION_DECLINED]: {
    heading: 'This invitation was declined',
    message: 'It was declined with this link, so it can no longer be accepted.',
    hint: 'If you changed your mind, ask the person who invited you for a new invitation.',
  },
  [ErrorCode.INVITATION_ALREADY_ACCEPTED]: {
    heading: 'This invitation has already been accepted',
    message: 'Each invitation link works once, and this one has been used.',
    hint: 'If it was you, you are a member already: use the API key you got then, or your own.',
  },
};

function fieldMessages(error: AppError): string | null {
  const errors = Array.isArray(error.details.errors) ? (error.details.errors as { msg: string }[]) : [];
  return errors.length > 0 ? `Details: ${errors.map((e) => e.msg).join('; ')}.` : null;
}

/** The accept page's sentences for any error on its routes (the HtmlErrorFilter renders them). */
export function linkProblem(error: AppError, traceId: string): ProblemView {
  const known = LINK_PROBLEMS[error.code];
  const base = { title: known?.heading ?? 'Invitation', traceId: null };
  if (known) return { ...base, ...known };
  if (error.code === ErrorCode.VALIDATION_ERROR) {
    return {
      ...base,
      title: 'Incomplete link',
      heading: 'This link or form is incomplete',
      message: 'The page could not read what it was sent.',
      hint: fieldMessages(error) ?? 'Open the link in the invitation email again.',
    };
  }
  if (error.code === ErrorCode.RATE_LIMITED) {
    const seconds = error.headers['Retry-After'] ?? '60';
    return {
      ...base,
      title: 'Too many attempts',
      heading: 'Too many attempts',
      message: `This address has opened or sent invitation links too often. Please wait ${seconds} seconds, then try again.`,
      hint: null,
    };
  }
  if (error.status >= 500) {
    return {
      ...base,
      title: 'Something went wrong',
      heading: 'Something went wrong on our side',
      message: 'The page could not be shown. Please try again in a moment.',
      hint: null,
      traceId,
    };
  }
  return { ...base, heading: 'This request could not be completed', message: error.message, hint: null };
}
