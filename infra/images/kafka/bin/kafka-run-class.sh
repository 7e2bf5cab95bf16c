#!/bin/bash
# kafka-run-class.sh CLASS ARGS...: runs one of the broker's classes on its jars.
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} ${KAFKA_OPTS:-} -Dlog4j.configuration=file:/etc/kafka/log4j.properties \
  -cp '/opt/kafka/libs/*' "$@"
