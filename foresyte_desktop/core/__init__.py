"""The Qt-free core: job store, video reading, pipelines, results, exporters and the job runner."""
