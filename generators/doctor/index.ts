// `yo cruddur-observability:doctor`: the bin's `doctor` command through the generic adapter.
import { commandGenerator } from '../../src/yeoman/generator.js';

export default commandGenerator('doctor');
