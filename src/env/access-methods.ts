/**
 * The access methods this build of Stowage knows, registered in am/common's registry: the
 * one place in `env/` that names one. Importing this module registers them: the btree and
 * the hash.
 *
 * Layer: env (rank 6).
 */
import { registerAccessMethod } from '../am/common/index.js';
import { btreeKind } from '../am/btree/index.js';
import { hashKind } from '../am/hash/index.js';

registerAccessMethod(btreeKind);
registerAccessMethod(hashKind);
