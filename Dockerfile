# ArchLab for a class, in one container: the same launcher as on a machine
# (python -m serve.classroom: one Streamlit replica per core behind HAProxy on port 8501).
# Not built or run on the development machines: no container engine or registry is reachable
# there, so tests/test_classroom.py starts the same topology natively and checks that this
# file and compose.yaml run the very same command.
#   docker build -t archlab . && docker run --init -p 8501:8501 -e ARCHLAB_SECRET=... archlab
FROM python:3.11-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# torch from PyTorch's CPU index first: the PyPI wheel of the same version is the CUDA build
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu \
      "$(grep -E '^torch==' requirements.txt)" \
 && pip install --no-cache-dir -r requirements.txt
COPY . .

# kept runs and lessons' fallback secret (a volume keeps them across restarts)
ENV ARCHLAB_DATA=/data PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_proxy/health', timeout=2)"
# SIGTERM (docker stop) stops the proxy and every replica cleanly
CMD ["python", "-m", "serve.classroom", "--port", "8501"]
