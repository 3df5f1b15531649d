import { ucloudAuthconfig } from './adapters.ts';
import { defineFaultMatrix } from './faults.ts';

defineFaultMatrix(ucloudAuthconfig);
