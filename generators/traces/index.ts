// `yo cruddur-observability:traces`: the bin's `traces` command through the generic adapter.
import { commandGenerator } from '../../src/yeoman/generator.js';

export default commandGenerator('traces');
