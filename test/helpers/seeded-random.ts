export { seededRandom } from '../../src/shared/index.js';
