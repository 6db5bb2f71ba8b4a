// `yo cruddur-observability:config`: the bin's `config` command through the generic adapter.
import { commandGenerator } from '../../src/yeoman/generator.js';

export default commandGenerator('config');
