import type { RotationFunctionService } from '../../rotation/rotation-function-service.js';

export interface RotationFunctionsApiDeps {
  functions: RotationFunctionService;
}
