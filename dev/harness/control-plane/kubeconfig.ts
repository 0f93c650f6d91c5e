import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/**
 * A kubeconfig that authenticates with a static token. TLS is verified against the certificate the apiserver made for
 * itself in --cert-dir (its file holds the serving cert and the throwaway CA that signed it, for 127.0.0.1), so the
 * clients under test run with verification on, as they do against GKE. Without that file, verification is skipped.
 */
export function writeKubeconfig(path: string, server: string, user: string, token: string, caPath?: string): string {
  const trust =
    caPath && existsSync(caPath)
      ? { 'certificate-authority-data': readFileSync(caPath).toString('base64') }
      : { 'insecure-skip-tls-verify': true };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, ...trust } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user } }],
    'current-context': 'local',
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

export function loadKubeconfig(path: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}
