{{/* Names: <release>-boxoffice unless the release is already called that, then <that>-<component>. */}}
{{- define "boxoffice.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "boxoffice.componentName" -}}
{{- printf "%s-%s" (include "boxoffice.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "boxoffice.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "boxoffice.labels" -}}
{{ include "boxoffice.selectorLabels" . }}
app.kubernetes.io/part-of: boxoffice
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/*
Every workload with its settings: each service is serviceDefaults merged with its own entry; the gateway calls
every service and consumes nothing. Rendered as YAML, read back with fromYaml.
*/}}
{{- define "boxoffice.components" -}}
{{- $components := dict -}}
{{- if not .Values.infrastructureOnly -}}
{{- range $name, $own := .Values.services -}}
{{- $merged := mergeOverwrite (deepCopy $.Values.serviceDefaults) (deepCopy $own) -}}
{{- $_ := set $merged "kind" "service" -}}
{{- $_ := set $components $name $merged -}}
{{- end -}}
{{- $gateway := deepCopy .Values.gateway -}}
{{- $_ := set $gateway "kind" "gateway" -}}
{{- $_ := set $gateway "calls" (keys .Values.services | sortAlpha) -}}
{{- $_ := set $gateway "consumerGroups" list -}}
{{- $_ := set $gateway "keda" (dict "enabled" false) -}}
{{- $_ := set $components "gateway" $gateway -}}
{{- end -}}
{{- toYaml $components -}}
{{- end -}}

{{- define "boxoffice.image" -}}
{{- $image := .config.image | default dict -}}
{{- $repository := $image.repository | default (printf "%s-%s" .root.Values.image.repository .name) -}}
{{- $tag := $image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}

{{- define "boxoffice.url" -}}
{{- printf "http://%s:%v" (include "boxoffice.componentName" (dict "root" .root "name" .name)) (index .root.Values.services .name).port -}}
{{- end -}}

{{- define "boxoffice.kafkaBrokers" -}}
{{- if .Values.strimzi.enabled -}}
{{- printf "%s-kafka-bootstrap:9092" (include "boxoffice.kafkaCluster" .) -}}
{{- else -}}
{{- required "kafka.brokers: the bootstrap servers of your Kafka" .Values.kafka.brokers -}}
{{- end -}}
{{- end -}}

{{- define "boxoffice.kafkaCluster" -}}
{{- printf "%s-kafka" (include "boxoffice.fullname" .) -}}
{{- end -}}

{{- define "boxoffice.pgCluster" -}}
{{- printf "%s-pg-%s" (include "boxoffice.fullname" .root) .name -}}
{{- end -}}

{{- define "boxoffice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "boxoffice.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* The environment of one workload: settings, peers, then every secret as a reference (never a value). */}}
{{- define "boxoffice.env" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $config := .config -}}
- name: NODE_ENV
  value: {{ $root.Values.nodeEnv | quote }}
- name: SERVICE_NAME
  value: {{ $name | quote }}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ $config.port | quote }}
- name: LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: KAFKA_BROKERS
  value: {{ include "boxoffice.kafkaBrokers" $root | quote }}
- name: KAFKA_TOPIC_PREFIX
  value: {{ $root.Values.kafkaTopicPrefix | quote }}
{{- if eq $config.kind "service" }}
- name: DEMO_DATA
  value: {{ $root.Values.demoData | quote }}
- name: DATABASE_POOL_SIZE
  value: {{ $config.databasePoolSize | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
{{- if $root.Values.cloudnativepg.enabled }}
      name: {{ printf "%s-app" (include "boxoffice.pgCluster" (dict "root" $root "name" $name)) }}
      key: uri
{{- else }}
      name: {{ $root.Values.secrets.name }}
      key: {{ printf "%s%s" $root.Values.postgresql.secretKeyPrefix $name }}
{{- end }}
- name: EVENT_SIGNING_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.name }}
      key: {{ printf "%s%s" $root.Values.events.signingKeyPrefix $name }}
{{- range $peer := $config.calls }}
- name: {{ printf "%s_SERVICE_URL" (upper $peer) }}
  value: {{ include "boxoffice.url" (dict "root" $root "name" $peer) | quote }}
{{- end }}
{{- else }}
{{- range $peer := $config.calls }}
- name: {{ printf "%s_SERVICE_URLS" (upper $peer) }}
  value: {{ include "boxoffice.url" (dict "root" $root "name" $peer) | quote }}
{{- end }}
{{- end }}
{{- range $variable, $secret := $root.Values.secrets.keys }}
{{- if has $name $secret.services }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.name }}
      key: {{ $secret.key }}
{{- end }}
{{- end }}
{{- range $variable, $value := $config.env }}
- name: {{ $variable }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
