// `yo cruddur-observability`: the bin's `app` command through the generic adapter.
import { commandGenerator } from '../../src/yeoman/generator.js';

export default commandGenerator('app');
