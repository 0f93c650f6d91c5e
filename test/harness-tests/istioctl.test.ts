import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { istioctlAnalyze, istioctlValidate, writeYamlDocs } from '../../dev/harness/istioctl/index.js';

/** The checks the end-to-end tests lean on must be able to fail: broken input gets the messages it deserves. */
const dir = mkdtempSync(join(tmpdir(), 'istioctl-'));
const meta = (name: string) => ({ name, namespace: 'checks' });

test('analyze reports a missing gateway and a TCP ServiceEntry without addresses', async () => {
  const file = writeYamlDocs(
    dir,
    [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: meta('vs'),
        spec: {
          hosts: ['a.example.com'],
          gateways: ['missing-gw'],
          tcp: [{ match: [{ port: 1 }], route: [{ destination: { host: 'a.example.com', port: { number: 1 } } }] }],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta('se'),
        spec: {
          hosts: ['a.example.com'],
          ports: [{ number: 1, name: 'tcp', protocol: 'TCP' }],
          resolution: 'STATIC',
          endpoints: [{ address: '10.0.0.1' }],
        },
      },
    ],
    'broken.yaml',
  );
  const { messages } = await istioctlAnalyze([file]);
  expect(messages.map((m) => m.code).sort()).toEqual(expect.arrayContaining(['IST0101', 'IST0134']));
});

test('validate rejects what istiod would reject', async () => {
  const file = writeYamlDocs(
    dir,
    [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta('dup'),
        spec: {
          hosts: ['b.example.com'],
          ports: [
            { number: 1, name: 'tcp', protocol: 'TCP' },
            { number: 1, name: 'tcp', protocol: 'TCP' },
          ],
          resolution: 'STATIC',
          endpoints: [{ address: '10.0.0.1' }],
        },
      },
    ],
    'invalid.yaml',
  );
  const result = await istioctlValidate([file]);
  expect(result.code).not.toBe(0);
  expect(result.stderr + result.stdout).toMatch(/port/i);
});
