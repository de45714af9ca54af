"""Docker: the engine, the images pipedeck builds locally, the containers runs create.

``docker_engine`` finds and asks the engine, ``local_images`` defines and builds the runner and
component images (``base`` obtains their Debian base without a registry), ``derived`` the
component images with a task's ``packages_to_install`` preinstalled, ``containers`` finds
and removes a run's containers, ``container_https`` probes HTTPS from inside a container.
Only the modules that need it import the Docker SDK.
"""
