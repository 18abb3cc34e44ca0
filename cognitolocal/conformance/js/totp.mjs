// TOTP codes computed by the test with otplib (RFC 6238: SHA-1, 6 digits,
// 30-second steps, as the developer guide's "TOTP software token MFA" page
// describes Cognito's), never by the pool's code.
import { authenticator } from 'otplib';

const STEP_MS = 30_000;

// freshCode returns a code for secret from a 30-second step after the
// step of every code in used: Cognito refuses a code used once
// (developer guide, "TOTP software token MFA"), so a sign-in right after
// set-up waits for the next step instead of reusing its code.
export async function freshCode(secret, used = []) {
  for (;;) {
    const step = Math.floor(Date.now() / STEP_MS);
    if (!used.some((u) => u.step >= step)) {
      const code = authenticator.generate(secret);
      used.push({ step, code });
      return code;
    }
    await new Promise((r) => setTimeout(r, (step + 1) * STEP_MS - Date.now() + 50));
  }
}
