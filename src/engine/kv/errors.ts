// etcd's error texts, as a client sees them (the gRPC status code name plus the message).

import { KvError } from './types.ts';

export const errCompacted = () =>
  new KvError('OutOfRange', 'etcdserver: mvcc: required revision has been compacted');
export const errFutureRev = () =>
  new KvError('OutOfRange', 'etcdserver: mvcc: required revision is a future revision');
export const errLeaseNotFound = () =>
  new KvError('NotFound', 'etcdserver: requested lease not found');
export const errLeaseExists = () =>
  new KvError('FailedPrecondition', 'etcdserver: lease already exists');
export const errLeaseTtlTooLarge = () =>
  new KvError('OutOfRange', 'etcdserver: too large lease TTL');
export const errEmptyKey = () => new KvError('InvalidArgument', 'etcdserver: key is not provided');
export const errDuplicateKey = () =>
  new KvError('InvalidArgument', 'etcdserver: duplicate key given in txn request');
export const errRequestTooLarge = () =>
  new KvError('InvalidArgument', 'etcdserver: request is too large');
export const errTooManyOps = () =>
  new KvError('InvalidArgument', 'etcdserver: too many operations in txn request');
export const errNoSpace = () =>
  new KvError('ResourceExhausted', 'etcdserver: mvcc: database space exceeded');
