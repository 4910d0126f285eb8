{{/*
Names. Kubernetes names are limited to 63 characters, so everything derived
from the full name is truncated to leave room for the longest suffix.
*/}}
{{- define "kubeguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kubeguard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kubeguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "kubeguard.labels" -}}
helm.sh/chart: {{ include "kubeguard.chart" . }}
{{ include "kubeguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels that select the webhook pods; they never change after install. */}}
{{- define "kubeguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubeguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Labels of the audit pods: not the webhook's selector labels, so that neither
the webhook's Service nor its PodDisruptionBudget ever counts an audit pod.
*/}}
{{- define "kubeguard.auditLabels" -}}
helm.sh/chart: {{ include "kubeguard.chart" . }}
app.kubernetes.io/name: {{ include "kubeguard.name" . }}-audit
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: audit
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
The webhook runs in the cluster unless webhook.url points at a server
elsewhere: then the chart renders no Deployment, Service, Secret or anything
else that only serves in-cluster pods.
*/}}
{{- define "kubeguard.inCluster" -}}
{{- if not .Values.webhook.url -}}true{{- end -}}
{{- end -}}

{{- define "kubeguard.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
Namespaces the API server never sends to kubeguard (namespaceSelector) and
that kubeguard exempts itself (config). The release namespace is always in
the list: with failurePolicy Fail, a webhook that judged its own namespace
could never recreate its pods once they were all gone. The kube-* namespaces
hold the control plane's own workloads.
*/}}
{{- define "kubeguard.exemptNamespaces" -}}
{{- $fixed := list "kube-system" "kube-public" "kube-node-lease" .Release.Namespace -}}
{{- $permanent := list -}}
{{- range .Values.exemptions.namespaces -}}
{{- if kindIs "string" . -}}
{{- $permanent = append $permanent . -}}
{{- else if not .until -}}
{{- $permanent = append $permanent .name -}}
{{- end -}}
{{- end -}}
{{- concat $fixed $permanent | uniq | toJson -}}
{{- end -}}

{{/*
The exempt namespaces with a date: only kubeguard's config names them, since
the namespaceSelector cannot expire.
*/}}
{{- define "kubeguard.timeBoxedNamespaces" -}}
{{- $dated := list -}}
{{- range .Values.exemptions.namespaces -}}
{{- if and (not (kindIs "string" .)) .until -}}
{{- $dated = append $dated . -}}
{{- end -}}
{{- end -}}
{{- toJson $dated -}}
{{- end -}}

{{/*
The kubeguard config file, in the shape `kubeguard serve --config` reads.
Rendered once here so that the ConfigMap and the pods' checksum annotation
always agree.
*/}}
{{- define "kubeguard.config" -}}
{{- $exemptions := dict
  "namespaces" (concat (include "kubeguard.exemptNamespaces" . | fromJsonArray) (include "kubeguard.timeBoxedNamespaces" . | fromJsonArray))
  "users" .Values.exemptions.users
  "groups" .Values.exemptions.groups
  "dryRunUsers" .Values.exemptions.dryRunUsers -}}
apiVersion: kubeguard.io/v1alpha1
kind: Configuration
profile: {{ .Values.profile }}
profileVersion: {{ .Values.profileVersion }}
mode: {{ .Values.mode }}
updates: {{ .Values.updates }}
{{- with .Values.enforceAfter }}
enforceAfter: {{ . | quote }}
{{- end }}
{{- with .Values.rules }}
rules:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.dryRunNamespaces }}
dryRunNamespaces:
  {{- toYaml . | nindent 2 }}
{{- end }}
exemptions:
  {{- toYaml $exemptions | nindent 2 }}
{{- end -}}

{{/* Names of the certificate objects. */}}
{{- define "kubeguard.serviceName" -}}
{{- include "kubeguard.fullname" . -}}
{{- end -}}

{{- define "kubeguard.tlsSecretName" -}}
{{- if .Values.certManager.enabled -}}
{{- printf "%s-serving-cert" (include "kubeguard.fullname" .) -}}
{{- else -}}
{{- printf "%s-tls" (include "kubeguard.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "kubeguard.certificateName" -}}
{{- printf "%s-serving-cert" (include "kubeguard.fullname" .) -}}
{{- end -}}

{{/* The DNS names the API server uses to reach the Service. */}}
{{- define "kubeguard.dnsNames" -}}
{{- $svc := include "kubeguard.serviceName" . -}}
{{- list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) | toJson -}}
{{- end -}}

{{/*
The chart-generated CA and serving certificate, as base64 PEM in a dict with
keys ca, cert and key. An existing Secret is reused so that `helm upgrade`
does not rotate the certificate (and briefly break TLS between the API server
and pods still serving the old one). The result is cached on the root context
because the Secret and the webhook configuration are separate templates and
must carry the same CA: without the cache each would generate its own.
*/}}
{{- define "kubeguard.generatedTLS" -}}
{{- if not (hasKey . "kubeguardGeneratedTLS") -}}
{{- $tls := dict -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "kubeguard.tlsSecretName" .) -}}
{{- $data := dict -}}
{{- if $existing -}}
{{- $data = default (dict) $existing.data -}}
{{- end -}}
{{- if and (index $data "ca.crt") (index $data "tls.crt") (index $data "tls.key") -}}
{{- $_ := set $tls "ca" (index $data "ca.crt") -}}
{{- $_ := set $tls "cert" (index $data "tls.crt") -}}
{{- $_ := set $tls "key" (index $data "tls.key") -}}
{{- else -}}
{{- $days := int .Values.generatedCertificate.validityDays -}}
{{- $ca := genCA (printf "%s-ca" (include "kubeguard.fullname" .)) $days -}}
{{- $dnsNames := include "kubeguard.dnsNames" . | fromJsonArray -}}
{{- $cert := genSignedCert (index $dnsNames 2) nil $dnsNames $days $ca -}}
{{- $_ := set $tls "ca" ($ca.Cert | b64enc) -}}
{{- $_ := set $tls "cert" ($cert.Cert | b64enc) -}}
{{- $_ := set $tls "key" ($cert.Key | b64enc) -}}
{{- end -}}
{{- $_ := set . "kubeguardGeneratedTLS" $tls -}}
{{- end -}}
{{- get . "kubeguardGeneratedTLS" | toJson -}}
{{- end -}}

{{/*
Checks across values that the schema cannot express with a clear message.
Included by the ConfigMap, the one object every configuration renders.
*/}}
{{- define "kubeguard.validate" -}}
{{- if .Values.webhook.url -}}
{{- if not .Values.webhook.caBundle -}}
{{- fail "webhook.caBundle is required with webhook.url: set it to the base64-encoded PEM of the CA that signed the certificate served at webhook.url" -}}
{{- end -}}
{{- if not (contains "-----BEGIN CERTIFICATE-----" (b64dec .Values.webhook.caBundle)) -}}
{{- fail "webhook.caBundle must be base64-encoded PEM (base64 of a file starting with -----BEGIN CERTIFICATE-----)" -}}
{{- end -}}
{{- if .Values.certManager.enabled -}}
{{- fail "webhook.url and certManager.enabled exclude each other: cert-manager issues certificates for the in-cluster Service, which webhook.url replaces" -}}
{{- end -}}
{{- else if .Values.webhook.caBundle -}}
{{- fail "webhook.caBundle is only used with webhook.url; for the in-cluster webhook the chart or cert-manager provides the CA" -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled: there is no /metrics endpoint to scrape" -}}
{{- end -}}
{{- if and .Values.metrics.prometheusRule.enabled (not .Values.metrics.enabled) -}}
{{- fail "metrics.prometheusRule.enabled needs metrics.enabled: its alerts read kubeguard's metrics" -}}
{{- end -}}
{{- end -}}

{{/*
The namespace labels the webhooks' namespaceSelector reads, as a JSON list:
changing them changes whether and how kubeguard judges a namespace.
*/}}
{{- define "kubeguard.guardedNamespaceLabels" -}}
{{- $labels := list "kubeguard.io/mode" }}
{{- if .Values.webhook.excludeAKSManagedNamespaces }}
{{- $labels = concat $labels (list "control-plane" "kubernetes.azure.com/managedby") }}
{{- end }}
{{- toJson $labels }}
{{- end }}

{{/*
The labels of one alert of the PrometheusRule: its severity, overridden by
metrics.prometheusRule.alertLabels when they name one. Called with
(list $ severity).
*/}}
{{- define "kubeguard.alertLabels" -}}
{{- $root := index . 0 -}}
{{- toYaml (merge (dict) $root.Values.metrics.prometheusRule.alertLabels (dict "severity" (index . 1))) -}}
{{- end -}}
