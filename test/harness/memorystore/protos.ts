import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';

const require = createRequire(import.meta.url);

/** The CloudRedis and Operations services from the .proto files that ship in @google-cloud/redis and google-gax. */
export function loadServices(): { cloudRedis: ServiceDefinition; operations: ServiceDefinition; encodeInstance: (instance: object) => Buffer } {
  const redisMain = require.resolve('@google-cloud/redis');
  const redisProtos = join(redisMain.slice(0, redisMain.lastIndexOf('/build/')), 'build/protos');
  // The google-gax that @google-cloud/redis itself uses (its exports map hides package.json, so go by its entry).
  const gaxMain = createRequire(redisMain).resolve('google-gax');
  const gaxRoot = gaxMain.slice(0, gaxMain.lastIndexOf('/build/'));
  const definition = protoLoader.loadSync(['google/cloud/redis/v1/cloud_redis.proto', 'google/longrunning/operations.proto'], {
    includeDirs: [redisProtos, join(gaxRoot, 'build/protos')],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const grpcObject = loadPackageDefinition(definition) as GrpcObject & Record<string, unknown>;
  const pick = (path: string): ServiceDefinition => {
    const service = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], grpcObject) as { service: ServiceDefinition };
    return service.service;
  };
  const cloudRedis = pick('google.cloud.redis.v1.CloudRedis');
  // GetInstance's response serializer encodes an Instance: what an Operation's `response` Any carries.
  const getInstance = cloudRedis['GetInstance'] as unknown as { responseSerialize: (value: object) => Buffer };
  return { cloudRedis, operations: pick('google.longrunning.Operations'), encodeInstance: (i) => getInstance.responseSerialize(i) };
}
