import type { TokenIssuer } from '../id-tokens.js';

/**
 * `gcloud auth print-identity-token`, as it behaves for each kind of account, over the local token issuer:
 * - a user account gets a token whose audience is gcloud's own OAuth client id (CLOUDSDK_CLIENT_ID in the SDK's
 *   googlecloudsdk/core/config.py), with its email; `--audiences` is refused for it with gcloud's message
 *   "Invalid account type for `--audiences`. Requires valid service account.";
 * - `--impersonate-service-account=SA` asks the IAM Credentials API's generateIdToken for SA's token, which needs
 *   iam.serviceAccounts.getOpenIdToken on SA (roles/iam.serviceAccountTokenCreator); the token has the audience asked
 *   for, and email and email_verified only with `--include-email` (generateIdToken's includeEmail:
 *   https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateIdToken);
 * - a service account's own credentials mint a token for the audience asked for, likewise.
 * Sources for the flags and examples: https://cloud.google.com/sdk/gcloud/reference/auth/print-identity-token.
 * Assumptions (not documented): without `--audiences`, a service account's token also carries gcloud's client id;
 * the wording of the permission error.
 */
export const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';

export interface PrintIdentityToken {
  /** The active account (`gcloud config get account`). */
  readonly account: string;
  readonly impersonateServiceAccount?: string;
  readonly audiences?: string;
  readonly includeEmail?: boolean;
}

/** What gcloud prints on stderr when it refuses, and exits non-zero. */
export class GcloudError extends Error {}

export interface Gcloud {
  printIdentityToken(command: PrintIdentityToken): Promise<string>;
}

const isServiceAccount = (email: string): boolean => /@[^@]+\.gserviceaccount\.com$/.test(email);

/** `tokenCreators`: per service account email, the accounts holding Token Creator on it. */
export function gcloudStandIn(issuer: TokenIssuer, tokenCreators: Readonly<Record<string, readonly string[]>>): Gcloud {
  return {
    async printIdentityToken({ account, impersonateServiceAccount, audiences, includeEmail = false }) {
      const target = impersonateServiceAccount ?? account;
      if (!isServiceAccount(target)) {
        if (audiences !== undefined)
          throw new GcloudError(
            'ERROR: (gcloud.auth.print-identity-token) Invalid account type for `--audiences`. Requires valid service account.',
          );
        return issuer.sign({ email: account, audience: GCLOUD_CLIENT_ID });
      }
      if (impersonateServiceAccount !== undefined && !tokenCreators[impersonateServiceAccount]?.includes(account))
        throw new GcloudError(
          `ERROR: (gcloud.auth.print-identity-token) PERMISSION_DENIED: Permission 'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist).`,
        );
      const audience = audiences ?? GCLOUD_CLIENT_ID;
      return issuer.sign(includeEmail ? { email: target, audience } : { audience });
    },
  };
}

/** Reads the flags of one `gcloud auth print-identity-token ...` command line, with `$NAME` taken from `variables`. */
export function parsePrintIdentityToken(
  commandLine: string,
  account: string,
  variables: Readonly<Record<string, string>>,
): PrintIdentityToken {
  const words = /gcloud auth print-identity-token(.*)$/.exec(commandLine)?.[1]?.trim().split(/\s+/) ?? null;
  if (words === null) throw new Error(`not a gcloud auth print-identity-token command: ${commandLine}`);
  const expand = (value: string): string =>
    value.replace(/^"|"$/g, '').replace(/\$(\w+)/g, (_m, name: string) => {
      const found = variables[name];
      if (found === undefined) throw new Error(`${name} is not set`);
      return found;
    });
  let command: PrintIdentityToken = { account };
  for (const word of words.filter(Boolean)) {
    const [flag, value] = word.split(/=(.*)/s) as [string, string | undefined];
    if (flag === '--impersonate-service-account' && value)
      command = { ...command, impersonateServiceAccount: expand(value) };
    else if (flag === '--audiences' && value) command = { ...command, audiences: expand(value) };
    else if (flag === '--include-email' && value === undefined) command = { ...command, includeEmail: true };
    else throw new Error(`flag the stand-in does not model: ${word}`);
  }
  return command;
}
