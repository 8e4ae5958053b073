#!/usr/bin/env bash
# Deploy one stage of Paydrop to the AWS account in your credentials:
#   PAYDROP_ARTIFACTS_BUCKET=my-artifacts infra/deploy.sh prod      (or: make deploy STAGE=prod)
# chalice package (merged with infra/resources.json) → cfn-lint → aws cloudformation
# package (uploads deployment.zip) → aws cloudformation deploy → the dashboard's static files
# to its bucket (+ a CloudFront invalidation) → stack outputs.
set -euo pipefail

STAGE="${1:-dev}"
case "$STAGE" in
  dev|prod) ;;
  *) echo "deploy.sh: unknown stage '$STAGE' (expected dev or prod, see .chalice/config.json)" >&2; exit 2 ;;
esac

if [[ -z "${PAYDROP_ARTIFACTS_BUCKET:-}" ]]; then
  echo "deploy.sh: set PAYDROP_ARTIFACTS_BUCKET to an S3 bucket you own in the target region;" >&2
  echo "           'aws cloudformation package' uploads the Lambda code there." >&2
  exit 2
fi
for tool in chalice cfn-lint aws; do
  command -v "$tool" >/dev/null || { echo "deploy.sh: '$tool' is not on PATH (run through 'make deploy', and install the AWS CLI)" >&2; exit 2; }
done

REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}"
if [[ -z "$REGION" ]]; then
  echo "deploy.sh: no AWS region: set AWS_REGION or configure one with 'aws configure'" >&2
  exit 2
fi
export AWS_DEFAULT_REGION="$REGION"

cd "$(dirname "$0")/.."
STACK="paydrop-$STAGE"
OUT="build/package/$STAGE"

# Secrets live in SSM as SecureStrings (CloudFormation cannot create those). Create the
# client-session signing key once; later deploys keep it, so sessions survive a deploy.
KEY_PARAM="/paydrop/$STAGE/session-signing-key"
if ! aws ssm get-parameter --name "$KEY_PARAM" >/dev/null 2>&1; then
  aws ssm put-parameter --name "$KEY_PARAM" --type SecureString \
    --value "$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" >/dev/null
  echo "deploy.sh: created $KEY_PARAM"
fi

rm -rf "$OUT"
chalice package --stage "$STAGE" --merge-template infra/resources.json "$OUT"
# The runtime's botocore instead of a bundled copy, plus bytecode (see infra/postpackage.py).
python infra/postpackage.py "$OUT/deployment.zip"
cfn-lint "$OUT/sam.json"
aws cloudformation package \
  --template-file "$OUT/sam.json" \
  --s3-bucket "$PAYDROP_ARTIFACTS_BUCKET" \
  --s3-prefix "$STACK" \
  --output-template-file "$OUT/packaged.yaml"
aws cloudformation deploy \
  --template-file "$OUT/packaged.yaml" \
  --stack-name "$STACK" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
  --no-fail-on-empty-changeset

# The staff dashboard is static files: CloudFront serves /app/* from the dashboard bucket
# (and everything else from API Gateway). Upload them, then drop CloudFront's cached copies.
out() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
DASHBOARD_BUCKET="$(out DashboardBucketName)"
aws s3 sync chalicelib/static/app "s3://$DASHBOARD_BUCKET/app/" --delete --exclude ".*" --cache-control no-cache
aws cloudfront create-invalidation --distribution-id "$(out DistributionId)" --paths "/app" "/app/*" >/dev/null
echo "deploy.sh: dashboard uploaded to s3://$DASHBOARD_BUCKET/app/ and live at $(out DashboardURL)"

aws cloudformation describe-stacks \
  --stack-name "$STACK" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" \
  --output table
