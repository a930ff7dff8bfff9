#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is created: nin's owner role (nin) and read-only role
# (nin_reader), from the script nin generates (./nin db setup-sql --passwords-from-variables), with
# their passwords from .env. nin never logs in as the superuser.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$NIN_OWNER_PASSWORD" -v reader_password="$NIN_READER_PASSWORD" -f /nin/nin-roles.sql
