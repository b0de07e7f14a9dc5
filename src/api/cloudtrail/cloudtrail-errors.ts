import { ServiceError } from '../../errors/service-error.js';

/** LookupEvents' documented errors (CloudTrail API Reference, LookupEvents "Errors"), all HTTP 400. */
export const CloudTrailErrors = {
  invalidLookupAttributes: (message: string) => new ServiceError('InvalidLookupAttributesException', message),
  invalidTimeRange: () =>
    new ServiceError('InvalidTimeRangeException', 'The StartTime of the lookup must not be after its EndTime.'),
  invalidMaxResults: () => new ServiceError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.'),
  invalidNextToken: () =>
    new ServiceError(
      'InvalidNextTokenException',
      'The NextToken is not valid, or was returned for a request with different parameters.',
    ),
};
