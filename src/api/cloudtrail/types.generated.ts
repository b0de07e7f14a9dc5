// GENERATED FILE - DO NOT EDIT.
// Generated from the botocore model cloudtrail/service-2.json (API version 2013-11-01)
// by scripts/generate-models.js; re-run `npm run generate-models` to refresh.
// Requests and responses as handlers see them: timestamps in epoch seconds, blobs as base64 text.

/**
 * Each operation's request (`input`: `object` where the model has no input shape, so the
 * body goes unvalidated) and response (`output`: `void` where the model has none).
 */
export interface Operations {
  AddTags: { input: AddTagsRequest; output: AddTagsResponse };
  CancelQuery: { input: CancelQueryRequest; output: CancelQueryResponse };
  CreateChannel: { input: CreateChannelRequest; output: CreateChannelResponse };
  CreateDashboard: { input: CreateDashboardRequest; output: CreateDashboardResponse };
  CreateEventDataStore: { input: CreateEventDataStoreRequest; output: CreateEventDataStoreResponse };
  CreateTrail: { input: CreateTrailRequest; output: CreateTrailResponse };
  DeleteChannel: { input: DeleteChannelRequest; output: DeleteChannelResponse };
  DeleteDashboard: { input: DeleteDashboardRequest; output: DeleteDashboardResponse };
  DeleteEventDataStore: { input: DeleteEventDataStoreRequest; output: DeleteEventDataStoreResponse };
  DeleteResourcePolicy: { input: DeleteResourcePolicyRequest; output: DeleteResourcePolicyResponse };
  DeleteTrail: { input: DeleteTrailRequest; output: DeleteTrailResponse };
  DeregisterOrganizationDelegatedAdmin: { input: DeregisterOrganizationDelegatedAdminRequest; output: DeregisterOrganizationDelegatedAdminResponse };
  DescribeQuery: { input: DescribeQueryRequest; output: DescribeQueryResponse };
  DescribeTrails: { input: DescribeTrailsRequest; output: DescribeTrailsResponse };
  DisableFederation: { input: DisableFederationRequest; output: DisableFederationResponse };
  EnableFederation: { input: EnableFederationRequest; output: EnableFederationResponse };
  GenerateQuery: { input: GenerateQueryRequest; output: GenerateQueryResponse };
  GetChannel: { input: GetChannelRequest; output: GetChannelResponse };
  GetDashboard: { input: GetDashboardRequest; output: GetDashboardResponse };
  GetEventConfiguration: { input: GetEventConfigurationRequest; output: GetEventConfigurationResponse };
  GetEventDataStore: { input: GetEventDataStoreRequest; output: GetEventDataStoreResponse };
  GetEventSelectors: { input: GetEventSelectorsRequest; output: GetEventSelectorsResponse };
  GetImport: { input: GetImportRequest; output: GetImportResponse };
  GetInsightSelectors: { input: GetInsightSelectorsRequest; output: GetInsightSelectorsResponse };
  GetQueryResults: { input: GetQueryResultsRequest; output: GetQueryResultsResponse };
  GetResourcePolicy: { input: GetResourcePolicyRequest; output: GetResourcePolicyResponse };
  GetTrail: { input: GetTrailRequest; output: GetTrailResponse };
  GetTrailStatus: { input: GetTrailStatusRequest; output: GetTrailStatusResponse };
  ListChannels: { input: ListChannelsRequest; output: ListChannelsResponse };
  ListDashboards: { input: ListDashboardsRequest; output: ListDashboardsResponse };
  ListEventDataStores: { input: ListEventDataStoresRequest; output: ListEventDataStoresResponse };
  ListImportFailures: { input: ListImportFailuresRequest; output: ListImportFailuresResponse };
  ListImports: { input: ListImportsRequest; output: ListImportsResponse };
  ListInsightsData: { input: ListInsightsDataRequest; output: ListInsightsDataResponse };
  ListInsightsMetricData: { input: ListInsightsMetricDataRequest; output: ListInsightsMetricDataResponse };
  ListPublicKeys: { input: ListPublicKeysRequest; output: ListPublicKeysResponse };
  ListQueries: { input: ListQueriesRequest; output: ListQueriesResponse };
  ListTags: { input: ListTagsRequest; output: ListTagsResponse };
  ListTrails: { input: ListTrailsRequest; output: ListTrailsResponse };
  LookupEvents: { input: LookupEventsRequest; output: LookupEventsResponse };
  PutEventConfiguration: { input: PutEventConfigurationRequest; output: PutEventConfigurationResponse };
  PutEventSelectors: { input: PutEventSelectorsRequest; output: PutEventSelectorsResponse };
  PutInsightSelectors: { input: PutInsightSelectorsRequest; output: PutInsightSelectorsResponse };
  PutResourcePolicy: { input: PutResourcePolicyRequest; output: PutResourcePolicyResponse };
  RegisterOrganizationDelegatedAdmin: { input: RegisterOrganizationDelegatedAdminRequest; output: RegisterOrganizationDelegatedAdminResponse };
  RemoveTags: { input: RemoveTagsRequest; output: RemoveTagsResponse };
  RestoreEventDataStore: { input: RestoreEventDataStoreRequest; output: RestoreEventDataStoreResponse };
  SearchSampleQueries: { input: SearchSampleQueriesRequest; output: SearchSampleQueriesResponse };
  StartDashboardRefresh: { input: StartDashboardRefreshRequest; output: StartDashboardRefreshResponse };
  StartEventDataStoreIngestion: { input: StartEventDataStoreIngestionRequest; output: StartEventDataStoreIngestionResponse };
  StartImport: { input: StartImportRequest; output: StartImportResponse };
  StartLogging: { input: StartLoggingRequest; output: StartLoggingResponse };
  StartQuery: { input: StartQueryRequest; output: StartQueryResponse };
  StopEventDataStoreIngestion: { input: StopEventDataStoreIngestionRequest; output: StopEventDataStoreIngestionResponse };
  StopImport: { input: StopImportRequest; output: StopImportResponse };
  StopLogging: { input: StopLoggingRequest; output: StopLoggingResponse };
  UpdateChannel: { input: UpdateChannelRequest; output: UpdateChannelResponse };
  UpdateDashboard: { input: UpdateDashboardRequest; output: UpdateDashboardResponse };
  UpdateEventDataStore: { input: UpdateEventDataStoreRequest; output: UpdateEventDataStoreResponse };
  UpdateTrail: { input: UpdateTrailRequest; output: UpdateTrailResponse };
}

export interface AddTagsRequest {
  ResourceId: string;
  TagsList: Tag[];
}

export interface AddTagsResponse {}

export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors: AdvancedFieldSelector[];
}

export interface AdvancedFieldSelector {
  Field: string;
  Equals?: string[];
  StartsWith?: string[];
  EndsWith?: string[];
  NotEquals?: string[];
  NotStartsWith?: string[];
  NotEndsWith?: string[];
}

export interface AggregationConfiguration {
  Templates: Template[];
  EventCategory: EventCategoryAggregation;
}

export type BillingMode = 'EXTENDABLE_RETENTION_PRICING' | 'FIXED_RETENTION_PRICING';

export interface CancelQueryRequest {
  EventDataStore?: string;
  QueryId: string;
  EventDataStoreOwnerAccountId?: string;
}

export interface CancelQueryResponse {
  QueryId: string;
  QueryStatus: QueryStatus;
  EventDataStoreOwnerAccountId?: string;
}

export interface Channel {
  ChannelArn?: string;
  Name?: string;
}

export interface ContextKeySelector {
  Type: Type;
  Equals: string[];
}

export interface CreateChannelRequest {
  Name: string;
  Source: string;
  Destinations: Destination[];
  Tags?: Tag[];
}

export interface CreateChannelResponse {
  ChannelArn?: string;
  Name?: string;
  Source?: string;
  Destinations?: Destination[];
  Tags?: Tag[];
}

export interface CreateDashboardRequest {
  Name: string;
  RefreshSchedule?: RefreshSchedule;
  TagsList?: Tag[];
  TerminationProtectionEnabled?: boolean;
  Widgets?: RequestWidget[];
}

export interface CreateDashboardResponse {
  DashboardArn?: string;
  Name?: string;
  Type?: DashboardType;
  Widgets?: Widget[];
  TagsList?: Tag[];
  RefreshSchedule?: RefreshSchedule;
  TerminationProtectionEnabled?: boolean;
}

export interface CreateEventDataStoreRequest {
  Name: string;
  AdvancedEventSelectors?: AdvancedEventSelector[];
  MultiRegionEnabled?: boolean;
  OrganizationEnabled?: boolean;
  RetentionPeriod?: number;
  TerminationProtectionEnabled?: boolean;
  TagsList?: Tag[];
  KmsKeyId?: string;
  StartIngestion?: boolean;
  BillingMode?: BillingMode;
}

export interface CreateEventDataStoreResponse {
  EventDataStoreArn?: string;
  Name?: string;
  Status?: EventDataStoreStatus;
  AdvancedEventSelectors?: AdvancedEventSelector[];
  MultiRegionEnabled?: boolean;
  OrganizationEnabled?: boolean;
  RetentionPeriod?: number;
  TerminationProtectionEnabled?: boolean;
  TagsList?: Tag[];
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
  KmsKeyId?: string;
  BillingMode?: BillingMode;
}

export interface CreateTrailRequest {
  Name: string;
  S3BucketName: string;
  S3KeyPrefix?: string;
  SnsTopicName?: string;
  IncludeGlobalServiceEvents?: boolean;
  IsMultiRegionTrail?: boolean;
  EnableLogFileValidation?: boolean;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  IsOrganizationTrail?: boolean;
  TagsList?: Tag[];
}

export interface CreateTrailResponse {
  Name?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  SnsTopicName?: string;
  SnsTopicARN?: string;
  IncludeGlobalServiceEvents?: boolean;
  IsMultiRegionTrail?: boolean;
  TrailARN?: string;
  LogFileValidationEnabled?: boolean;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  IsOrganizationTrail?: boolean;
}

export interface DashboardDetail {
  DashboardArn?: string;
  Type?: DashboardType;
}

export type DashboardStatus = 'CREATING' | 'CREATED' | 'UPDATING' | 'UPDATED' | 'DELETING';

export type DashboardType = 'MANAGED' | 'CUSTOM';

export interface DataResource {
  Type?: string;
  Values?: string[];
}

export interface DeleteChannelRequest {
  Channel: string;
}

export interface DeleteChannelResponse {}

export interface DeleteDashboardRequest {
  DashboardId: string;
}

export interface DeleteDashboardResponse {}

export interface DeleteEventDataStoreRequest {
  EventDataStore: string;
}

export interface DeleteEventDataStoreResponse {}

export interface DeleteResourcePolicyRequest {
  ResourceArn: string;
}

export interface DeleteResourcePolicyResponse {}

export interface DeleteTrailRequest {
  Name: string;
}

export interface DeleteTrailResponse {}

export type DeliveryStatus = 'SUCCESS' | 'FAILED' | 'FAILED_SIGNING_FILE' | 'PENDING' | 'RESOURCE_NOT_FOUND' | 'ACCESS_DENIED' | 'ACCESS_DENIED_SIGNING_FILE' | 'CANCELLED' | 'UNKNOWN';

export interface DeregisterOrganizationDelegatedAdminRequest {
  DelegatedAdminAccountId: string;
}

export interface DeregisterOrganizationDelegatedAdminResponse {}

export interface DescribeQueryRequest {
  EventDataStore?: string;
  QueryId?: string;
  QueryAlias?: string;
  RefreshId?: string;
  EventDataStoreOwnerAccountId?: string;
}

export interface DescribeQueryResponse {
  QueryId?: string;
  QueryString?: string;
  QueryStatus?: QueryStatus;
  QueryStatistics?: QueryStatisticsForDescribeQuery;
  ErrorMessage?: string;
  DeliveryS3Uri?: string;
  DeliveryStatus?: DeliveryStatus;
  Prompt?: string;
  EventDataStoreOwnerAccountId?: string;
}

export interface DescribeTrailsRequest {
  trailNameList?: string[];
  includeShadowTrails?: boolean;
}

export interface DescribeTrailsResponse {
  trailList?: Trail[];
}

export interface Destination {
  Type: DestinationType;
  Location: string;
}

export type DestinationType = 'EVENT_DATA_STORE' | 'AWS_SERVICE';

export interface DisableFederationRequest {
  EventDataStore: string;
}

export interface DisableFederationResponse {
  EventDataStoreArn?: string;
  FederationStatus?: FederationStatus;
}

export interface EnableFederationRequest {
  EventDataStore: string;
  FederationRoleArn: string;
}

export interface EnableFederationResponse {
  EventDataStoreArn?: string;
  FederationStatus?: FederationStatus;
  FederationRoleArn?: string;
}

export interface Event {
  EventId?: string;
  EventName?: string;
  ReadOnly?: string;
  AccessKeyId?: string;
  EventTime?: number;
  EventSource?: string;
  Username?: string;
  Resources?: Resource[];
  CloudTrailEvent?: string;
}

export type EventCategory = 'insight';

export type EventCategoryAggregation = 'Data';

export interface EventDataStore {
  EventDataStoreArn?: string;
  Name?: string;
  TerminationProtectionEnabled?: boolean;
  Status?: EventDataStoreStatus;
  AdvancedEventSelectors?: AdvancedEventSelector[];
  MultiRegionEnabled?: boolean;
  OrganizationEnabled?: boolean;
  RetentionPeriod?: number;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
}

export type EventDataStoreStatus = 'CREATED' | 'ENABLED' | 'PENDING_DELETION' | 'STARTING_INGESTION' | 'STOPPING_INGESTION' | 'STOPPED_INGESTION';

export interface EventSelector {
  ReadWriteType?: ReadWriteType;
  IncludeManagementEvents?: boolean;
  DataResources?: DataResource[];
  ExcludeManagementEventSources?: string[];
}

export type FederationStatus = 'ENABLING' | 'ENABLED' | 'DISABLING' | 'DISABLED';

export interface GenerateQueryRequest {
  EventDataStores: string[];
  Prompt: string;
}

export interface GenerateQueryResponse {
  QueryStatement?: string;
  QueryAlias?: string;
  EventDataStoreOwnerAccountId?: string;
}

export interface GetChannelRequest {
  Channel: string;
}

export interface GetChannelResponse {
  ChannelArn?: string;
  Name?: string;
  Source?: string;
  SourceConfig?: SourceConfig;
  Destinations?: Destination[];
  IngestionStatus?: IngestionStatus;
}

export interface GetDashboardRequest {
  DashboardId: string;
}

export interface GetDashboardResponse {
  DashboardArn?: string;
  Type?: DashboardType;
  Status?: DashboardStatus;
  Widgets?: Widget[];
  RefreshSchedule?: RefreshSchedule;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
  LastRefreshId?: string;
  LastRefreshFailureReason?: string;
  TerminationProtectionEnabled?: boolean;
}

export interface GetEventConfigurationRequest {
  TrailName?: string;
  EventDataStore?: string;
}

export interface GetEventConfigurationResponse {
  TrailARN?: string;
  EventDataStoreArn?: string;
  MaxEventSize?: MaxEventSize;
  ContextKeySelectors?: ContextKeySelector[];
  AggregationConfigurations?: AggregationConfiguration[];
}

export interface GetEventDataStoreRequest {
  EventDataStore: string;
}

export interface GetEventDataStoreResponse {
  EventDataStoreArn?: string;
  Name?: string;
  Status?: EventDataStoreStatus;
  AdvancedEventSelectors?: AdvancedEventSelector[];
  MultiRegionEnabled?: boolean;
  OrganizationEnabled?: boolean;
  RetentionPeriod?: number;
  TerminationProtectionEnabled?: boolean;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
  KmsKeyId?: string;
  BillingMode?: BillingMode;
  FederationStatus?: FederationStatus;
  FederationRoleArn?: string;
  PartitionKeys?: PartitionKey[];
}

export interface GetEventSelectorsRequest {
  TrailName: string;
}

export interface GetEventSelectorsResponse {
  TrailARN?: string;
  EventSelectors?: EventSelector[];
  AdvancedEventSelectors?: AdvancedEventSelector[];
}

export interface GetImportRequest {
  ImportId: string;
}

export interface GetImportResponse {
  ImportId?: string;
  Destinations?: string[];
  ImportSource?: ImportSource;
  StartEventTime?: number;
  EndEventTime?: number;
  ImportStatus?: ImportStatus;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
  ImportStatistics?: ImportStatistics;
}

export interface GetInsightSelectorsRequest {
  TrailName?: string;
  EventDataStore?: string;
}

export interface GetInsightSelectorsResponse {
  TrailARN?: string;
  InsightSelectors?: InsightSelector[];
  EventDataStoreArn?: string;
  InsightsDestination?: string;
}

export interface GetQueryResultsRequest {
  EventDataStore?: string;
  QueryId: string;
  NextToken?: string;
  MaxQueryResults?: number;
  EventDataStoreOwnerAccountId?: string;
}

export interface GetQueryResultsResponse {
  QueryStatus?: QueryStatus;
  QueryStatistics?: QueryStatistics;
  QueryResultRows?: Array<Array<Record<string, string>>>;
  NextToken?: string;
  ErrorMessage?: string;
}

export interface GetResourcePolicyRequest {
  ResourceArn: string;
}

export interface GetResourcePolicyResponse {
  ResourceArn?: string;
  ResourcePolicy?: string;
  DelegatedAdminResourcePolicy?: string;
}

export interface GetTrailRequest {
  Name: string;
}

export interface GetTrailResponse {
  Trail?: Trail;
}

export interface GetTrailStatusRequest {
  Name: string;
}

export interface GetTrailStatusResponse {
  IsLogging?: boolean;
  LatestDeliveryError?: string;
  LatestNotificationError?: string;
  LatestDeliveryTime?: number;
  LatestNotificationTime?: number;
  StartLoggingTime?: number;
  StopLoggingTime?: number;
  LatestCloudWatchLogsDeliveryError?: string;
  LatestCloudWatchLogsDeliveryTime?: number;
  LatestDigestDeliveryTime?: number;
  LatestDigestDeliveryError?: string;
  LatestDeliveryAttemptTime?: string;
  LatestNotificationAttemptTime?: string;
  LatestNotificationAttemptSucceeded?: string;
  LatestDeliveryAttemptSucceeded?: string;
  TimeLoggingStarted?: string;
  TimeLoggingStopped?: string;
}

export interface ImportFailureListItem {
  Location?: string;
  Status?: ImportFailureStatus;
  ErrorType?: string;
  ErrorMessage?: string;
  LastUpdatedTime?: number;
}

export type ImportFailureStatus = 'FAILED' | 'RETRY' | 'SUCCEEDED';

export interface ImportSource {
  S3: S3ImportSource;
}

export interface ImportStatistics {
  PrefixesFound?: number;
  PrefixesCompleted?: number;
  FilesCompleted?: number;
  EventsCompleted?: number;
  FailedEntries?: number;
}

export type ImportStatus = 'INITIALIZING' | 'IN_PROGRESS' | 'FAILED' | 'STOPPED' | 'COMPLETED';

export interface ImportsListItem {
  ImportId?: string;
  ImportStatus?: ImportStatus;
  Destinations?: string[];
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
}

export interface IngestionStatus {
  LatestIngestionSuccessTime?: number;
  LatestIngestionSuccessEventID?: string;
  LatestIngestionErrorCode?: string;
  LatestIngestionAttemptTime?: number;
  LatestIngestionAttemptEventID?: string;
}

export interface InsightSelector {
  InsightType?: InsightType;
  EventCategories?: SourceEventCategory[];
}

export type InsightType = 'ApiCallRateInsight' | 'ApiErrorRateInsight';

export type InsightsMetricDataType = 'FillWithZeros' | 'NonZeroData';

export interface ListChannelsRequest {
  MaxResults?: number;
  NextToken?: string;
}

export interface ListChannelsResponse {
  Channels?: Channel[];
  NextToken?: string;
}

export interface ListDashboardsRequest {
  NamePrefix?: string;
  Type?: DashboardType;
  NextToken?: string;
  MaxResults?: number;
}

export interface ListDashboardsResponse {
  Dashboards?: DashboardDetail[];
  NextToken?: string;
}

export interface ListEventDataStoresRequest {
  NextToken?: string;
  MaxResults?: number;
}

export interface ListEventDataStoresResponse {
  EventDataStores?: EventDataStore[];
  NextToken?: string;
}

export interface ListImportFailuresRequest {
  ImportId: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface ListImportFailuresResponse {
  Failures?: ImportFailureListItem[];
  NextToken?: string;
}

export interface ListImportsRequest {
  MaxResults?: number;
  Destination?: string;
  ImportStatus?: ImportStatus;
  NextToken?: string;
}

export interface ListImportsResponse {
  Imports?: ImportsListItem[];
  NextToken?: string;
}

export type ListInsightsDataDimensionKey = 'EventId' | 'EventName' | 'EventSource';

export interface ListInsightsDataRequest {
  InsightSource: string;
  DataType: ListInsightsDataType;
  Dimensions?: Record<string, string>;
  StartTime?: number;
  EndTime?: number;
  MaxResults?: number;
  NextToken?: string;
}

export interface ListInsightsDataResponse {
  Events?: Event[];
  NextToken?: string;
}

export type ListInsightsDataType = 'InsightsEvents';

export interface ListInsightsMetricDataRequest {
  TrailName?: string;
  EventSource: string;
  EventName: string;
  InsightType: InsightType;
  ErrorCode?: string;
  StartTime?: number;
  EndTime?: number;
  Period?: number;
  DataType?: InsightsMetricDataType;
  MaxResults?: number;
  NextToken?: string;
}

export interface ListInsightsMetricDataResponse {
  TrailARN?: string;
  EventSource?: string;
  EventName?: string;
  InsightType?: InsightType;
  ErrorCode?: string;
  Timestamps?: number[];
  Values?: number[];
  NextToken?: string;
}

export interface ListPublicKeysRequest {
  StartTime?: number;
  EndTime?: number;
  NextToken?: string;
}

export interface ListPublicKeysResponse {
  PublicKeyList?: PublicKey[];
  NextToken?: string;
}

export interface ListQueriesRequest {
  EventDataStore: string;
  NextToken?: string;
  MaxResults?: number;
  StartTime?: number;
  EndTime?: number;
  QueryStatus?: QueryStatus;
}

export interface ListQueriesResponse {
  Queries?: Query[];
  NextToken?: string;
}

export interface ListTagsRequest {
  ResourceIdList: string[];
  NextToken?: string;
}

export interface ListTagsResponse {
  ResourceTagList?: ResourceTag[];
  NextToken?: string;
}

export interface ListTrailsRequest {
  NextToken?: string;
}

export interface ListTrailsResponse {
  Trails?: TrailInfo[];
  NextToken?: string;
}

export interface LookupAttribute {
  AttributeKey: LookupAttributeKey;
  AttributeValue: string;
}

export type LookupAttributeKey = 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId';

export interface LookupEventsRequest {
  LookupAttributes?: LookupAttribute[];
  StartTime?: number;
  EndTime?: number;
  EventCategory?: EventCategory;
  MaxResults?: number;
  NextToken?: string;
}

export interface LookupEventsResponse {
  Events?: Event[];
  NextToken?: string;
}

export type MaxEventSize = 'Standard' | 'Large';

export interface PartitionKey {
  Name: string;
  Type: string;
}

export interface PublicKey {
  Value?: string;
  ValidityStartTime?: number;
  ValidityEndTime?: number;
  Fingerprint?: string;
}

export interface PutEventConfigurationRequest {
  TrailName?: string;
  EventDataStore?: string;
  MaxEventSize?: MaxEventSize;
  ContextKeySelectors?: ContextKeySelector[];
  AggregationConfigurations?: AggregationConfiguration[];
}

export interface PutEventConfigurationResponse {
  TrailARN?: string;
  EventDataStoreArn?: string;
  MaxEventSize?: MaxEventSize;
  ContextKeySelectors?: ContextKeySelector[];
  AggregationConfigurations?: AggregationConfiguration[];
}

export interface PutEventSelectorsRequest {
  TrailName: string;
  EventSelectors?: EventSelector[];
  AdvancedEventSelectors?: AdvancedEventSelector[];
}

export interface PutEventSelectorsResponse {
  TrailARN?: string;
  EventSelectors?: EventSelector[];
  AdvancedEventSelectors?: AdvancedEventSelector[];
}

export interface PutInsightSelectorsRequest {
  TrailName?: string;
  InsightSelectors: InsightSelector[];
  EventDataStore?: string;
  InsightsDestination?: string;
}

export interface PutInsightSelectorsResponse {
  TrailARN?: string;
  InsightSelectors?: InsightSelector[];
  EventDataStoreArn?: string;
  InsightsDestination?: string;
}

export interface PutResourcePolicyRequest {
  ResourceArn: string;
  ResourcePolicy: string;
}

export interface PutResourcePolicyResponse {
  ResourceArn?: string;
  ResourcePolicy?: string;
  DelegatedAdminResourcePolicy?: string;
}

export interface Query {
  QueryId?: string;
  QueryStatus?: QueryStatus;
  CreationTime?: number;
}

export interface QueryStatistics {
  ResultsCount?: number;
  TotalResultsCount?: number;
  BytesScanned?: number;
}

export interface QueryStatisticsForDescribeQuery {
  EventsMatched?: number;
  EventsScanned?: number;
  BytesScanned?: number;
  ExecutionTimeInMillis?: number;
  CreationTime?: number;
}

export type QueryStatus = 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';

export type ReadWriteType = 'ReadOnly' | 'WriteOnly' | 'All';

export interface RefreshSchedule {
  Frequency?: RefreshScheduleFrequency;
  Status?: RefreshScheduleStatus;
  TimeOfDay?: string;
}

export interface RefreshScheduleFrequency {
  Unit?: RefreshScheduleFrequencyUnit;
  Value?: number;
}

export type RefreshScheduleFrequencyUnit = 'HOURS' | 'DAYS';

export type RefreshScheduleStatus = 'ENABLED' | 'DISABLED';

export interface RegisterOrganizationDelegatedAdminRequest {
  MemberAccountId: string;
}

export interface RegisterOrganizationDelegatedAdminResponse {}

export interface RemoveTagsRequest {
  ResourceId: string;
  TagsList: Tag[];
}

export interface RemoveTagsResponse {}

export interface RequestWidget {
  QueryStatement: string;
  QueryParameters?: string[];
  ViewProperties: Record<string, string>;
}

export interface Resource {
  ResourceType?: string;
  ResourceName?: string;
}

export interface ResourceTag {
  ResourceId?: string;
  TagsList?: Tag[];
}

export interface RestoreEventDataStoreRequest {
  EventDataStore: string;
}

export interface RestoreEventDataStoreResponse {
  EventDataStoreArn?: string;
  Name?: string;
  Status?: EventDataStoreStatus;
  AdvancedEventSelectors?: AdvancedEventSelector[];
  MultiRegionEnabled?: boolean;
  OrganizationEnabled?: boolean;
  RetentionPeriod?: number;
  TerminationProtectionEnabled?: boolean;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
  KmsKeyId?: string;
  BillingMode?: BillingMode;
}

export interface S3ImportSource {
  S3LocationUri: string;
  S3BucketRegion: string;
  S3BucketAccessRoleArn: string;
}

export interface SearchSampleQueriesRequest {
  SearchPhrase: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface SearchSampleQueriesResponse {
  SearchResults?: SearchSampleQueriesSearchResult[];
  NextToken?: string;
}

export interface SearchSampleQueriesSearchResult {
  Name?: string;
  Description?: string;
  SQL?: string;
  Relevance?: number;
}

export interface SourceConfig {
  ApplyToAllRegions?: boolean;
  AdvancedEventSelectors?: AdvancedEventSelector[];
}

export type SourceEventCategory = 'Management' | 'Data';

export interface StartDashboardRefreshRequest {
  DashboardId: string;
  QueryParameterValues?: Record<string, string>;
}

export interface StartDashboardRefreshResponse {
  RefreshId?: string;
}

export interface StartEventDataStoreIngestionRequest {
  EventDataStore: string;
}

export interface StartEventDataStoreIngestionResponse {}

export interface StartImportRequest {
  Destinations?: string[];
  ImportSource?: ImportSource;
  StartEventTime?: number;
  EndEventTime?: number;
  ImportId?: string;
}

export interface StartImportResponse {
  ImportId?: string;
  Destinations?: string[];
  ImportSource?: ImportSource;
  StartEventTime?: number;
  EndEventTime?: number;
  ImportStatus?: ImportStatus;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
}

export interface StartLoggingRequest {
  Name: string;
}

export interface StartLoggingResponse {}

export interface StartQueryRequest {
  QueryStatement?: string;
  DeliveryS3Uri?: string;
  QueryAlias?: string;
  QueryParameters?: string[];
  EventDataStoreOwnerAccountId?: string;
}

export interface StartQueryResponse {
  QueryId?: string;
  EventDataStoreOwnerAccountId?: string;
}

export interface StopEventDataStoreIngestionRequest {
  EventDataStore: string;
}

export interface StopEventDataStoreIngestionResponse {}

export interface StopImportRequest {
  ImportId: string;
}

export interface StopImportResponse {
  ImportId?: string;
  ImportSource?: ImportSource;
  Destinations?: string[];
  ImportStatus?: ImportStatus;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
  StartEventTime?: number;
  EndEventTime?: number;
  ImportStatistics?: ImportStatistics;
}

export interface StopLoggingRequest {
  Name: string;
}

export interface StopLoggingResponse {}

export interface Tag {
  Key: string;
  Value?: string;
}

export type Template = 'API_ACTIVITY' | 'RESOURCE_ACCESS' | 'USER_ACTIONS';

export interface Trail {
  Name?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  SnsTopicName?: string;
  SnsTopicARN?: string;
  IncludeGlobalServiceEvents?: boolean;
  IsMultiRegionTrail?: boolean;
  HomeRegion?: string;
  TrailARN?: string;
  LogFileValidationEnabled?: boolean;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  HasCustomEventSelectors?: boolean;
  HasInsightSelectors?: boolean;
  IsOrganizationTrail?: boolean;
}

export interface TrailInfo {
  TrailARN?: string;
  Name?: string;
  HomeRegion?: string;
}

export type Type = 'TagContext' | 'RequestContext';

export interface UpdateChannelRequest {
  Channel: string;
  Destinations?: Destination[];
  Name?: string;
}

export interface UpdateChannelResponse {
  ChannelArn?: string;
  Name?: string;
  Source?: string;
  Destinations?: Destination[];
}

export interface UpdateDashboardRequest {
  DashboardId: string;
  Widgets?: RequestWidget[];
  RefreshSchedule?: RefreshSchedule;
  TerminationProtectionEnabled?: boolean;
}

export interface UpdateDashboardResponse {
  DashboardArn?: string;
  Name?: string;
  Type?: DashboardType;
  Widgets?: Widget[];
  RefreshSchedule?: RefreshSchedule;
  TerminationProtectionEnabled?: boolean;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
}

export interface UpdateEventDataStoreRequest {
  EventDataStore: string;
  Name?: string;
  AdvancedEventSelectors?: AdvancedEventSelector[];
  MultiRegionEnabled?: boolean;
  OrganizationEnabled?: boolean;
  RetentionPeriod?: number;
  TerminationProtectionEnabled?: boolean;
  KmsKeyId?: string;
  BillingMode?: BillingMode;
}

export interface UpdateEventDataStoreResponse {
  EventDataStoreArn?: string;
  Name?: string;
  Status?: EventDataStoreStatus;
  AdvancedEventSelectors?: AdvancedEventSelector[];
  MultiRegionEnabled?: boolean;
  OrganizationEnabled?: boolean;
  RetentionPeriod?: number;
  TerminationProtectionEnabled?: boolean;
  CreatedTimestamp?: number;
  UpdatedTimestamp?: number;
  KmsKeyId?: string;
  BillingMode?: BillingMode;
  FederationStatus?: FederationStatus;
  FederationRoleArn?: string;
}

export interface UpdateTrailRequest {
  Name: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  SnsTopicName?: string;
  IncludeGlobalServiceEvents?: boolean;
  IsMultiRegionTrail?: boolean;
  EnableLogFileValidation?: boolean;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  IsOrganizationTrail?: boolean;
}

export interface UpdateTrailResponse {
  Name?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  SnsTopicName?: string;
  SnsTopicARN?: string;
  IncludeGlobalServiceEvents?: boolean;
  IsMultiRegionTrail?: boolean;
  TrailARN?: string;
  LogFileValidationEnabled?: boolean;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  IsOrganizationTrail?: boolean;
}

export interface Widget {
  QueryAlias?: string;
  QueryStatement?: string;
  QueryParameters?: string[];
  ViewProperties?: Record<string, string>;
}
