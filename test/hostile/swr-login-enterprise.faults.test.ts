import { swrLoginEnterprise } from './adapters.ts';
import { defineFaultMatrix } from './faults.ts';

defineFaultMatrix(swrLoginEnterprise);
