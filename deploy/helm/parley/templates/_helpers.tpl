{{/*
The five services: values key → name, port, database key. The name is the service's quarkus.application.name (its
service-client id and image name); objects are named <release fullname>-<name>.
*/}}
{{- define "parley.services" -}}
auth: {name: auth-service, port: 8081}
session: {name: session-service, port: 8082}
gateway: {name: llm-gateway-service, port: 8083}
memory: {name: memory-service, port: 8084}
usage: {name: usage-service, port: 8085}
{{- end -}}

{{/*
The public routes: path, pathType, service key. Equal to k8s/ingress.yaml (the chart's HelmChartTest compares them);
never /internal or /q.
*/}}
{{- define "parley.routes" -}}
- {path: /health, type: Exact, service: gateway}
- {path: /api/v1/auth, type: Prefix, service: auth}
- {path: /api/v1/users, type: Prefix, service: auth}
- {path: /api/v1/access-keys, type: Prefix, service: auth}
- {path: /api/v1/provider-keys, type: Prefix, service: auth}
- {path: /api/v1/invites, type: Prefix, service: auth}
- {path: /.well-known/jwks.json, type: Exact, service: auth}
- {path: /api/v1/sessions, type: Prefix, service: session}
- {path: /api/v1/messages, type: Prefix, service: session}
- {path: /api/v1/llm, type: Prefix, service: session}
- {path: /v1, type: Prefix, service: gateway}
- {path: /api/v1/rate-limits, type: Prefix, service: gateway}
- {path: /api/v1/routes, type: Prefix, service: gateway}
- {path: /api/v1/memories, type: Prefix, service: memory}
- {path: /api/v1/usage, type: Prefix, service: usage}
- {path: /api/v1/budgets, type: Prefix, service: usage}
- {path: /api/v1/pricing, type: Prefix, service: usage}
{{- end -}}

{{- define "parley.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Object name of a service: (dict "root" $ "name" "auth-service") */}}
{{- define "parley.svcName" -}}
{{- printf "%s-%s" (include "parley.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "parley.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "parley.labels" -}}
helm.sh/chart: {{ include "parley.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: parley
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of a component: (dict "root" $ "name" "auth-service") */}}
{{- define "parley.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Labels of a component's objects: the release's labels plus its name: (dict "root" $ "name" "auth-service") */}}
{{- define "parley.componentLabels" -}}
{{ include "parley.labels" .root }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{- define "parley.secretName" -}}
{{- default (printf "%s-secrets" (include "parley.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Image of a service: (dict "root" $ "key" "auth" "name" "auth-service") */}}
{{- define "parley.image" -}}
{{- $svc := index .root.Values.services .key -}}
{{- $img := default dict $svc.image -}}
{{- $variant := default .root.Values.image.variant $img.variant -}}
{{- $repo := default (printf "%s/%s" .root.Values.image.registry .name) $img.repository -}}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) $img.tag -}}
{{- if eq $variant "native" -}}
{{- printf "%s:%s-native" $repo $tag -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* JDBC URL of a service: (dict "root" $ "key" "auth") */}}
{{- define "parley.jdbcUrl" -}}
{{- $pg := .root.Values.postgresql -}}
{{- if eq $pg.mode "internal" -}}
{{- printf "jdbc:postgresql://%s-postgresql:5432/%s" (include "parley.fullname" .root) (index $pg.external.databases .key) -}}
{{- else if hasKey $pg.external.jdbcUrls .key -}}
{{- index $pg.external.jdbcUrls .key -}}
{{- else -}}
{{- if not $pg.external.host -}}
{{- fail "postgresql.mode=external needs postgresql.external.host (one server) or postgresql.external.jdbcUrls.<service> for every service" -}}
{{- end -}}
{{- $params := list -}}
{{- with $pg.external.parameters }}{{ $params = append $params . }}{{ end -}}
{{- if $pg.external.caSecret }}{{ $params = append $params "sslrootcert=/etc/parley/db-ca/ca.crt" }}{{ end -}}
{{- printf "jdbc:postgresql://%s:%v/%s" $pg.external.host $pg.external.port (index $pg.external.databases .key) -}}
{{- if $params }}?{{ join "&" $params }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* Values the chart cannot make up: refuse to render without them. */}}
{{- define "parley.validate" -}}
{{- if and (ne .Values.postgresql.mode "internal") (not .Values.secrets.existingSecret) -}}
{{- fail "postgresql.mode=external needs secrets.existingSecret: a Secret whose postgres-password is your database role's password (and the other keys listed in values.yaml)" -}}
{{- end -}}
{{- if and (eq .Values.redis.mode "external") (not .Values.secrets.existingSecret) -}}
{{- fail "redis.mode=external needs secrets.existingSecret with a redis-url key" -}}
{{- end -}}
{{- end -}}

{{/* The settings every service reads (ConfigMap <fullname>-config); also hashed into each pod's checksum. */}}
{{- define "parley.sharedConfig" -}}
{{- $root := . -}}
{{- $services := include "parley.services" . | fromYaml -}}
PARLEY_AUTH_URL: http://{{ include "parley.svcName" (dict "root" $root "name" $services.auth.name) }}
PARLEY_SESSION_URL: http://{{ include "parley.svcName" (dict "root" $root "name" $services.session.name) }}
PARLEY_GATEWAY_URL: http://{{ include "parley.svcName" (dict "root" $root "name" $services.gateway.name) }}
PARLEY_MEMORY_URL: http://{{ include "parley.svcName" (dict "root" $root "name" $services.memory.name) }}
PARLEY_USAGE_URL: http://{{ include "parley.svcName" (dict "root" $root "name" $services.usage.name) }}
PARLEY_LOG_JSON: "true"
{{- with .Values.corsOrigins }}
QUARKUS_HTTP_CORS_ORIGINS: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The services' database role: in-chart, "parley" (owner of the five databases, not a superuser). */}}
{{- define "parley.dbUser" -}}
{{- if eq .Values.postgresql.mode "internal" -}}parley{{- else -}}{{ .Values.postgresql.external.username }}{{- end -}}
{{- end -}}
