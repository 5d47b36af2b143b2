import protobuf from 'protobufjs';

/**
 * Loki's push request as Promtail, Grafana Alloy and the Loki clients send it (pkg/push's
 * push.proto), compiled by protobufjs. Field numbers are the wire contract. The stream hash
 * (field 3) is Loki's own bookkeeping and skipped.
 */
const SCHEMA = `
syntax = "proto3";
package logproto;

message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
`;

const root = protobuf.parse(SCHEMA).root;

export const PushRequest = root.lookupType('logproto.PushRequest');
