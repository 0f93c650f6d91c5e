import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GoogleAuth } from 'google-auth-library';
import { callRest, type TokenSource } from './google-rest.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
/** A token is renewed this long before it expires, as google-auth-library does (eagerRefreshThresholdMillis). */
const RENEW_BEFORE_MS = 5 * 60_000;
const METADATA_DEADLINE_MS = 10_000;
const sources = new Map<string, TokenSource>();

/**
 * Application Default Credentials, in ADC's order (https://cloud.google.com/docs/authentication/application-default-credentials#order):
 * GOOGLE_APPLICATION_CREDENTIALS, then gcloud's credentials file, then the service account attached to where the code
 * runs, from the metadata server. The first two (a developer's machine, a key file) go through google-auth-library,
 * the well-kept way to read every kind of credential file. Deployed, there is neither, and the token is one GET of the
 * metadata server, which is what google-auth-library would send too: without loading it, its gaxios, node-fetch and
 * gcp-metadata, about 70 ms of the first event's CPU after a cold start (docs/performance.md).
 * One source per project and process, so the GKE token, the Memorystore reads and the audit publish share one token.
 */
export function applicationDefaultToken(project: string, env: NodeJS.ProcessEnv = process.env): TokenSource {
  let source = sources.get(project);
  if (!source) sources.set(project, (source = credentialsFile(env) ? libraryToken(project) : metadataToken(env)));
  return source;
}

/** Whether ADC would read a credentials file: GOOGLE_APPLICATION_CREDENTIALS, or gcloud's well-known one. */
function credentialsFile(env: NodeJS.ProcessEnv): boolean {
  if (env['GOOGLE_APPLICATION_CREDENTIALS']) return true;
  if (process.platform === 'win32') return true; // gcloud's file is under %APPDATA%: left to the library
  const config = env['CLOUDSDK_CONFIG'] ?? join(env['HOME'] ?? homedir(), '.config', 'gcloud');
  return existsSync(join(config, 'application_default_credentials.json'));
}

/**
 * google-auth-library, loaded on the first token. `project` is named because the library looks one up before its
 * first token otherwise (`gcloud config config-helper` in a shell, then the metadata server): seconds where gcloud
 * is installed.
 */
function libraryToken(project: string): TokenSource {
  let auth: Promise<GoogleAuth> | undefined;
  return async () => {
    // Through `default` (module.exports): the deployed bundle's chunks give a CommonJS package to import() only so
    // (https://github.com/evanw/esbuild/issues/3245).
    auth ??= import('google-auth-library').then(
      ({ default: library }) => new library.GoogleAuth({ scopes: [CLOUD_PLATFORM], projectId: project }),
    );
    return (await auth).getAccessToken();
  };
}

interface MetadataToken {
  readonly access_token: string;
  readonly expires_in: number;
}

/**
 * The attached service account's token from the metadata server (https://cloud.google.com/run/docs/container-contract#metadata-server),
 * at GCE_METADATA_HOST where set (as gcp-metadata reads it), kept until five minutes before it expires; callers
 * at the same moment share one request.
 */
function metadataToken(env: NodeJS.ProcessEnv): TokenSource {
  const url = `http://${env['GCE_METADATA_HOST'] ?? 'metadata.google.internal'}/computeMetadata/v1/instance/service-accounts/default/token`;
  let current: { token: Promise<string>; renewAt: number } | undefined;
  const renew = (): { token: Promise<string>; renewAt: number } => {
    const pending = { token: Promise.resolve(''), renewAt: Infinity };
    pending.token = callRest<MetadataToken>({
      url,
      method: 'GET',
      headers: { 'metadata-flavor': 'Google' },
      deadlineMs: METADATA_DEADLINE_MS,
    }).then((answer) => {
      pending.renewAt = Date.now() + answer.expires_in * 1000 - RENEW_BEFORE_MS;
      return answer.access_token;
    });
    // A failed request is not kept: the next caller asks again.
    pending.token.catch(() => {
      if (current === pending) current = undefined;
    });
    return pending;
  };
  return () => {
    if (!current || Date.now() >= current.renewAt) current = renew();
    return current.token;
  };
}
