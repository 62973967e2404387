# syntax=docker/dockerfile:1
# Studybot: `studybot serve` (Slack HTTP, Discord gateway, /healthz) with the settings from the
# environment. Build: docker build -t studybot .   Run: see docs/operations.md.
#
# The base is pinned to an exact Python and Debian release. For reproducible builds also pin
# its digest at release time (docker buildx imagetools inspect python:3.11.11-slim-bookworm)
# by passing --build-arg PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:<digest>.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# --- builder: compilers and pip, to build the virtual environment --------------------------------
FROM ${PYTHON_IMAGE} AS builder

# Every dependency ships wheels for linux/amd64 and linux/arm64; the compiler is there for the
# platforms where pip has to build one from source.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential=12.9 \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN /opt/venv/bin/pip install ".[slack,discord,postgres,dashboard]" \
    && /opt/venv/bin/pip uninstall -y pip setuptools

# --- runtime: the interpreter, the virtual environment and the question bank -----------------------
FROM ${PYTHON_IMAGE} AS runtime

# libcairo2: the run-time library CairoSVG draws the weekly digest's PNG with (the dashboard
# extra); a library only, without recommends, and the package lists removed after.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2=1.16.0-7 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 studybot \
    && useradd --system --uid 10001 --gid studybot --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin studybot \
    && mkdir /data \
    && chown studybot:studybot /data

COPY --from=builder /opt/venv /opt/venv
COPY content /app/content

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    STUDYBOT_DATABASE_URL=sqlite:////data/studybot.db \
    STUDYBOT_CONTENT_DIR=/app/content \
    STUDYBOT_HTTP_PORT=3000 \
    STUDYBOT_LOG_FORMAT=json

WORKDIR /app
VOLUME ["/data"]
USER 10001:10001
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('STUDYBOT_HTTP_PORT', '3000'), timeout=4)"]

# `studybot serve` raises its soft open-file limit to the hard limit at start (up to 65,536), so
# the runtime's hard limit is what counts: Docker's and containerd's defaults are 524,288 or more,
# and deploy/docker-compose.yml and the ECS task definition ask for 65,536 explicitly.
CMD ["studybot", "serve"]
