#!/usr/bin/env bash
# Deploy one stage of Paydrop to the AWS account in your credentials (see infra/README.md):
#   MAIL_DOMAIN=mail.example.com ALARM_EMAIL=ops@example.com infra/deploy.sh prod
#   (or: make deploy STAGE=prod MAIL_DOMAIN=mail.example.com ALARM_EMAIL=ops@example.com)
# Optional: MAIL_INBOUND_DOMAIN (email replies; default reply.MAIL_DOMAIN),
#           MAIL_FROM ('Name <address@MAIL_DOMAIN>'), LOG_RETENTION_DAYS (30), CUSTOM_DOMAIN +
# CUSTOM_DOMAIN_CERT_ARN (an ACM certificate in us-east-1), PAYDROP_ARTIFACTS_BUCKET (default:
# paydrop-artifacts-<account>-<region>, created when missing), PACKAGE_DIR (build/package/<stage>).
# Steps: artifacts bucket → SSM secrets → chalice package (merged with infra/resources.json) →
# cfn-lint → aws cloudformation package + deploy through the bucket → the dashboard's static
# files (+ a CloudFront invalidation) → stack outputs.
set -euo pipefail

die() { echo "deploy.sh: $*" >&2; exit 2; }

STAGE="${1:-dev}"
case "$STAGE" in
  dev|prod) ;;
  *) die "unknown stage '$STAGE' (expected dev or prod, see .chalice/config.json)" ;;
esac

MAIL_DOMAIN="${MAIL_DOMAIN:-}"
MAIL_FROM="${MAIL_FROM:-}"
ALARM_EMAIL="${ALARM_EMAIL:-}"
LOG_RETENTION_DAYS="${LOG_RETENTION_DAYS:-30}"
CUSTOM_DOMAIN="${CUSTOM_DOMAIN:-}"
CUSTOM_DOMAIN_CERT_ARN="${CUSTOM_DOMAIN_CERT_ARN:-}"
[[ -n "$MAIL_DOMAIN" ]] || die "set MAIL_DOMAIN: the domain this stage sends email from (one per stage, e.g. mail.example.com)"
[[ -n "$ALARM_EMAIL" ]] || die "set ALARM_EMAIL: the address the stage's alarms are e-mailed to"
if [[ -n "$MAIL_FROM" && "$MAIL_FROM" != *"@$MAIL_DOMAIN" && "$MAIL_FROM" != *"@$MAIL_DOMAIN>" ]]; then
  die "MAIL_FROM '$MAIL_FROM' must send from an address at MAIL_DOMAIN ($MAIL_DOMAIN): SES signs only for that identity"
fi
if [[ -n "$CUSTOM_DOMAIN" && -z "$CUSTOM_DOMAIN_CERT_ARN" ]] || [[ -z "$CUSTOM_DOMAIN" && -n "$CUSTOM_DOMAIN_CERT_ARN" ]]; then
  die "set CUSTOM_DOMAIN and CUSTOM_DOMAIN_CERT_ARN together (the certificate must be in us-east-1, for CloudFront)"
fi
for tool in chalice cfn-lint aws python3; do
  command -v "$tool" >/dev/null || die "'$tool' is not on PATH (run through 'make deploy', and install the AWS CLI)"
done

REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}"
[[ -n "$REGION" ]] || die "no AWS region: set AWS_REGION or configure one with 'aws configure'"
export AWS_DEFAULT_REGION="$REGION"
ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"

cd "$(dirname "$0")/.."
STACK="paydrop-$STAGE"
OUT="${PACKAGE_DIR:-build/package/$STAGE}"

# The packaged template is far over CloudFormation's 51,200-byte limit for inline templates, so
# both the Lambda code and the template go through an S3 bucket of this account and region.
BUCKET="${PAYDROP_ARTIFACTS_BUCKET:-paydrop-artifacts-$ACCOUNT-$REGION}"
if ! aws s3api head-bucket --bucket "$BUCKET" --expected-bucket-owner "$ACCOUNT" >/dev/null 2>&1; then
  if [[ "$REGION" == "us-east-1" ]]; then
    aws s3api create-bucket --bucket "$BUCKET" >/dev/null
  else
    aws s3api create-bucket --bucket "$BUCKET" --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
  fi
  aws s3api put-public-access-block --bucket "$BUCKET" --public-access-block-configuration \
    "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
  aws s3api put-bucket-encryption --bucket "$BUCKET" --server-side-encryption-configuration \
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
  # Lambda keeps its own copy of the code and CloudFormation of the template: old artifacts can go.
  aws s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --lifecycle-configuration \
    '{"Rules":[{"ID":"expire-old-artifacts","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":30},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1}}]}'
  echo "deploy.sh: created artifacts bucket s3://$BUCKET (private, encrypted)"
fi

# Secrets live in SSM as SecureStrings (CloudFormation cannot create those). Each is created once;
# later deploys keep it, so client sessions survive a deploy and CloudFront's header stays valid.
ensure_secret() {
  if ! aws ssm get-parameter --name "$1" >/dev/null 2>&1; then
    aws ssm put-parameter --name "$1" --type SecureString \
      --value "$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" >/dev/null
    echo "deploy.sh: created $1"
  fi
}
ensure_secret "/paydrop/$STAGE/session-signing-key"
ORIGIN_PARAM="/paydrop/$STAGE/origin-secret"
ensure_secret "$ORIGIN_PARAM"
# CloudFront sends it to API Gateway as X-Paydrop-Origin-Secret; the app reads the same parameter.
ORIGIN_SECRET="$(aws ssm get-parameter --name "$ORIGIN_PARAM" --with-decryption --query Parameter.Value --output text)"
# Whether the Stripe key exists (its name only, not its value): the API then decides on Pay
# without an SSM read on a cold start. Rerun deploy.sh after adding the key.
STRIPE_CONFIGURED=false
if aws ssm get-parameter --name "/paydrop/$STAGE/stripe-secret-key" >/dev/null 2>&1; then STRIPE_CONFIGURED=true; fi

rm -rf "$OUT"
chalice package --stage "$STAGE" --merge-template infra/resources.json "$OUT"
# The runtime's botocore instead of a bundled copy, plus bytecode (see infra/postpackage.py).
python infra/postpackage.py "$OUT/deployment.zip"
cfn-lint "$OUT/sam.json"
aws cloudformation package \
  --template-file "$OUT/sam.json" \
  --s3-bucket "$BUCKET" \
  --s3-prefix "$STACK" \
  --output-template-file "$OUT/packaged.yaml"

out() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
# The distribution's URL, from the stack's last deploy ("" before the first one).
previous_distribution_url() {
  local url
  url="$(out DistributionURL 2>/dev/null || true)"
  if [[ "$url" == https://* ]]; then echo "$url"; fi
}

deploy() {
  aws cloudformation deploy \
    --template-file "$OUT/packaged.yaml" \
    --stack-name "$STACK" \
    --s3-bucket "$BUCKET" \
    --s3-prefix "$STACK" \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
    --no-fail-on-empty-changeset \
    --parameter-overrides \
      "MailDomain=$MAIL_DOMAIN" \
      "MailFrom=$MAIL_FROM" \
      "AlarmEmail=$ALARM_EMAIL" \
      "LogRetentionDays=$LOG_RETENTION_DAYS" \
      "CustomDomain=$CUSTOM_DOMAIN" \
      "CustomDomainCertificateArn=$CUSTOM_DOMAIN_CERT_ARN" \
      "OriginSecret=$ORIGIN_SECRET" \
      "StripeConfigured=$STRIPE_CONFIGURED" \
      "MailInboundDomain=${MAIL_INBOUND_DOMAIN:-reply.$MAIL_DOMAIN}" \
      "PublicBaseUrl=$1"
}

# PUBLIC_BASE_URL (links in emails) is the custom domain when there is one, else the distribution's
# own domain, which the functions cannot reference in the same template (function → API →
# distribution → function is a cycle; infra/README.md). A first deploy without a custom domain
# therefore runs twice: once to create the distribution, once to give the functions its URL.
PUBLIC_BASE_URL="$(previous_distribution_url)"
deploy "$PUBLIC_BASE_URL"
if [[ -z "$CUSTOM_DOMAIN" ]]; then
  CREATED_URL="$(previous_distribution_url)"
  if [[ "$CREATED_URL" != "$PUBLIC_BASE_URL" ]]; then
    echo "deploy.sh: links will name $CREATED_URL; updating the functions' PUBLIC_BASE_URL"
    deploy "$CREATED_URL"
  fi
fi

# The staff dashboard is static files: CloudFront serves /app/* from the dashboard bucket
# (and everything else from API Gateway). Upload them, then drop CloudFront's cached copies.
DASHBOARD_BUCKET="$(out DashboardBucketName)"
aws s3 sync chalicelib/static/app "s3://$DASHBOARD_BUCKET/app/" --delete --exclude ".*" --cache-control no-cache
aws cloudfront create-invalidation --distribution-id "$(out DistributionId)" --paths "/app" "/app/*" >/dev/null
echo "deploy.sh: dashboard uploaded to s3://$DASHBOARD_BUCKET/app/ and live at $(out DashboardURL)"

aws cloudformation describe-stacks \
  --stack-name "$STACK" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" \
  --output table
cat <<EOF
deploy.sh: still by hand (infra/README.md, "What stays manual"):
  - publish the three MailDkimRecord* CNAMEs above in $MAIL_DOMAIN's DNS zone;
  - confirm the alarm subscription from the e-mail AWS sent to $ALARM_EMAIL;
  - Stripe keys: SecureStrings /paydrop/$STAGE/stripe-secret-key and /paydrop/$STAGE/stripe-webhook-secret
    (then rerun deploy.sh: it tells the API the key exists, and clients see Pay);
  - SES production access (out of the sandbox) for this account and region;
  - the first owner: make owner STAGE=$STAGE EMAIL=you@example.com
EOF
