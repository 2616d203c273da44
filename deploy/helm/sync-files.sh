#!/usr/bin/env bash
# Helm reads files only inside the chart: copy the alert rules and the dashboards into deploy/helm/parley/files/.
# HelmChartTest fails when the copies differ from deploy/prometheus and deploy/grafana.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -f deploy/helm/parley/files/dashboards/*.json
cp deploy/prometheus/parley.rules.yml deploy/helm/parley/files/parley.rules.yml
cp deploy/grafana/*.json deploy/helm/parley/files/dashboards/
echo "copied into deploy/helm/parley/files/"
