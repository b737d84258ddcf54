/**
 * What linking an OIDC identity needs of the `users` table, declared here because common/ sits below
 * the users folder that owns it; `UsersModule` provides it (the class is the DI token). Both join the
 * caller's transaction (`Db`).
 */
export abstract class VerifiedUsers {
  /**
   * The user with this email, else a new one named `fullName`: either way active and with the email
   * marked verified (whoever calls vouches for the address). Returns the user's id.
   */
  abstract upsertVerified(email: string, fullName: string | null): Promise<string>;

  /** Marks the user's email as proven, while `email` is still the user's address. */
  abstract markEmailVerified(userId: string, email: string): Promise<void>;
}
