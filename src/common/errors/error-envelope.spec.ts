import { describe, expect, it } from '@jest/globals';
import { systemMessage } from './error-envelope.js';

describe('systemMessage', () => {
  it.each([
    ['An account with this email already exists.', 'an account with this email already exists.'],
    ['User not found.', 'user not found.'],
    ['API key not found.', 'API key not found.'],
    ['JSON bodies only.', 'JSON bodies only.'],
    ['IDs must be prefixed.', 'IDs must be prefixed.'],
    ['X-Request-Id is too long.', 'X-Request-Id is too long.'],
    ['OIDC tokens are not configured.', 'OIDC tokens are not configured.'],
    ['Élan is a word.', 'élan is a word.'],
    ['No pending invitation found', 'no pending invitation found'],
    ['already lowercase.', 'already lowercase.'],
    ['A', 'a'],
    ['', ''],
    ['429: too many requests', '429: too many requests'],
  ])('%j → %j', (message, expected) => {
    expect(systemMessage(message)).toBe(expected);
  });
});
