import { swrLogin } from './adapters.ts';
import { defineFaultMatrix } from './faults.ts';

defineFaultMatrix(swrLogin);
