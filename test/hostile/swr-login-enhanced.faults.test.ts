import { swrLoginEnhanced } from './adapters.ts';
import { defineFaultMatrix } from './faults.ts';

defineFaultMatrix(swrLoginEnhanced);
