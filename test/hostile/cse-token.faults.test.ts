import { cseToken } from './adapters.ts';
import { defineFaultMatrix } from './faults.ts';

defineFaultMatrix(cseToken);
