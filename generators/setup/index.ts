// `yo cruddur-observability:setup`: the bin's `setup` command through the generic adapter.
import { commandGenerator } from '../../src/yeoman/generator.js';

export default commandGenerator('setup');
