// tsx entry of the toolchain test: pickles (hex, JSON) on stdin, the scenario's results on stdout.
import { readFileSync } from 'node:fs';
import * as models from './profile-models.js';
import { runScenario } from './scenario.js';

const pickles = JSON.parse(readFileSync(0, 'utf8')) as Record<string, string>;
process.stdout.write(JSON.stringify(runScenario(models, pickles)));
