import { describe, expect, it } from '@jest/globals';
import { HtmlSurface } from '../common/html/html-surface.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { AppError } from '../common/errors/app-error.js';
import {
  declinedView,
  emailCodeView,
  InvitationFacts,
  invitationView,
  joinedView,
} from './accept-page-views.js';
import { linkProblem } from './link-problems.js';

const PAGE = new HtmlSurface(new URL('./templates/', import.meta.url));

const facts: InvitationFacts = {
  token: 'inv_abc.1.mac"><b>',
  lookup: {
    invitation_id: 'inv_abc',
    status: 'pending',
    email: 'jane@example.com',
    organization: { id: 'org_1', name: 'Acme <Labs>', slug: 'acme' },
    roles: [
      { id: 'role_1', name: 'Admin' },
      { id: 'role_2', name: 'Reviewer' },
    ],
    invited_by: { full_name: null, email: 'ada@example.com' },
    expires_at: '2026-06-05T14:00:00Z',
  },
  details: { customMessage: '  <img src=x onerror=alert(1)>  ', inviteeName: null, inviteeHasAccount: false },
};

describe('the accept page views', () => {
  it('renders the invitation with every value escaped and the roles as a sentence', () => {
    const html = PAGE.render('invitation', invitationView(facts));
    expect(html).toContain('<title>Join Acme &lt;Labs&gt;</title>');
    expect(html).toContain('<strong>ada@example.com</strong> invited');
    expect(html).toContain('as Admin and Reviewer.');
    expect(html).toContain('<blockquote>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</blockquote>');
    expect(html).toContain('value="inv_abc.1.mac&quot;&gt;&lt;b&gt;"');
    expect(html).toContain('<time datetime="2026-06-05T14:00:00Z">June 5, 2026 at 2:00 PM UTC</time>');
    expect(html).not.toContain('<img');
  });

  it('renders the other states', () => {
    const accepted = {
      user: {
        id: 'usr_1',
        email: 'jane@example.com',
        full_name: null,
        user_name: null,
        email_verified: false,
        created_at: '2026-01-01T00:00:00Z',
      },
      organization_id: 'org_1',
      api_key: 'oik_secret',
    };
    expect(PAGE.render('joined', joinedView(facts.lookup, accepted, 'http://localhost:3000'))).toContain(
      'curl -H "X-API-Key: oik_secret" http://localhost:3000/v1/me',
    );
    expect(
      PAGE.render('joined', joinedView(facts.lookup, { ...accepted, api_key: null }, 'http://x')),
    ).toContain('no new API key was issued');
    expect(PAGE.render('declined', declinedView(facts.lookup))).toContain(
      'ask ada@example.com to invite you again',
    );
  });

  it('has the "enter the emailed code" state ready for Email proof: a labelled 6-digit field posted with the token', () => {
    const html = PAGE.render('email-code', emailCodeView(facts, 'Jane Doe', 'That code is not right.'));
    expect(html).toContain('<form method="post" action="/user/register/accept">');
    expect(html).toContain('<label for="email_code">Code from the email</label>');
    expect(html).toContain('autocomplete="one-time-code" aria-invalid="true" aria-describedby="code-error"');
    expect(html).toContain('<input type="hidden" name="full_name" value="Jane Doe">');
    expect(html).toContain('role="alert"');
  });

  it.each([
    [ErrorCode.INVITATION_EXPIRED, 'This invitation has expired'],
    [ErrorCode.INVITATION_REVOKED, 'This invitation was withdrawn'],
    [ErrorCode.INVITATION_DECLINED, 'This invitation was declined'],
    [ErrorCode.INVITATION_ALREADY_ACCEPTED, 'This invitation has already been accepted'],
    [ErrorCode.INVITATION_NOT_FOUND, 'This invitation link does not work'],
    [ErrorCode.INTERNAL_ERROR, 'Something went wrong on our side'],
  ])('says in a sentence what %s means', (code, heading) => {
    const view = linkProblem(new AppError(code), 'trace-1');
    expect(view.heading).toBe(heading);
    expect(PAGE.render('problem', view)).toContain(`<h1>${heading}</h1>`);
    // Only a fault carries the reference a person would quote to support.
    expect(view.traceId).toBe(code === ErrorCode.INTERNAL_ERROR ? 'trace-1' : null);
  });
});
