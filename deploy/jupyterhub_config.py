# JupyterHub for coachkit: each coach signs in to the Hub and gets a coachkit server
# of their own, which shows only their own team. docs/deploy.md has every step;
# deploy/kubernetes/ has the same set-up for Zero to JupyterHub.
#
# How it fits together:
# - The Hub signs people in (your authenticator below) and starts a server per user.
# - That server is jupyter-server-proxy's standalone proxy (jupyter-standaloneproxy),
#   which lets in only the server's owner, through the Hub's own sign-in, and runs
#   `coachkit serve --jupyterhub` behind it. No JupyterLab, no terminal: the coach
#   gets the workbooks and nothing else.
# - coachkit knows the coach by JUPYTERHUB_USER, the Hub's user name. Give each
#   coach that sign-in name once, on the shared store:
#       coachkit users add "Ann Example" --login ann --db postgresql://...
#   (coachkit users change NAME --login ann, for someone already there.)
# - Every server uses the same store on PostgreSQL (COACHKIT_DB below).
#
# The image (or environment) the servers run in needs:
#     pip install coachkit jupyter-server-proxy
# and the Hub's own environment: pip install jupyterhub jupyterhub-idle-culler
# (plus dockerspawner for the spawner below).
#
# tests/test_hub.py runs this file under a real JupyterHub and
# configurable-http-proxy on every test run, with only the authenticator
# (DummyAuthenticator), the spawner (SimpleLocalProcessSpawner), the ports and the
# programs' paths swapped; the idle culler there runs with short timeouts.

c = get_config()  # noqa: F821 - JupyterHub provides it

# --- Who may sign in ---------------------------------------------------------------
# Use your organisation's sign-in. For example GitHub through oauthenticator:
#   c.JupyterHub.authenticator_class = "github"
#   c.GitHubOAuthenticator.oauth_callback_url = (
#       "https://hub.example.com/hub/oauth_callback"
#   )
#   c.GitHubOAuthenticator.client_id = "..."
#   c.GitHubOAuthenticator.client_secret = "..."
#   c.GitHubOAuthenticator.allowed_users = {"ann", "bo"}
# The Hub user names are the sign-in names coachkit matches (coachkit users --login).
c.JupyterHub.authenticator_class = "github"

# --- One server per coach, each in its own container --------------------------------
# Each container has its own network, so a coach's coachkit (which listens on the
# container's 127.0.0.1) is reachable only through that coach's standalone proxy.
# Do not use LocalProcessSpawner: there every user of the machine could reach every
# other coach's coachkit port on 127.0.0.1 directly, past the Hub's sign-in.
c.JupyterHub.spawner_class = "docker"
c.DockerSpawner.image = "your-registry/coachkit-singleuser:latest"  # has the pip line
c.DockerSpawner.remove = True  # nothing is kept in the container: the store is shared
# The containers must reach the Hub; see the DockerSpawner docs for your network.
# c.DockerSpawner.network_name = "jupyterhub"
# c.JupyterHub.hub_ip = "0.0.0.0"

# --- What each coach's server runs ----------------------------------------------------
# This list is coachkit.web.serve.hub_command() (tests/test_hub.py checks that).
c.Spawner.cmd = [
    "jupyter-standaloneproxy",
    # coachkit needs a few seconds to start its workbook server (the proxy's
    # default wait is 5 s).
    "--timeout=60",
    # A CSV upload travels in one websocket message: room for coachkit's 200 MB.
    "--websocket-max-message-size=226492416",
    # Then the command the proxy runs. It strips /user/<name>/ before passing a
    # request on, and fills in {port}: coachkit listens there on 127.0.0.1.
    "--",
    "coachkit",
    "serve",
    "--port",
    "{port}",
    # The coach is JUPYTERHUB_USER; the address prefix (/user/ann/) comes from
    # JUPYTERHUB_SERVICE_PREFIX.
    "--jupyterhub",
    # No kernels kept ready: each coach has a server of their own (see
    # docs/deploy.md, "How many coaches per machine").
    "--pool-size",
    "0",
]
# coachkit takes a few seconds to start; the Hub's default wait is 30 s.
c.Spawner.http_timeout = 90
c.Spawner.start_timeout = 90

# The shared store. Every coach's server uses it; coachkit shows each coach only
# their own team. The coach cannot read this setting: the server runs no code sent
# from the browser.
c.Spawner.environment = {
    "COACHKIT_DB": "postgresql://coachkit:PASSWORD@db.example.com/coachkit",
}

# Hub admins: with admin_access on, an admin can open a coach's server and then sees
# what that coach sees. Leave it off unless that is what you want.
c.JupyterHub.admin_access = False

# --- Stop servers nobody has used for an hour -----------------------------------------
# jupyterhub-idle-culler, run by the Hub. A server counts as used while its coach
# loads pages from it (the standalone proxy tells the Hub every 5 minutes).
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            "python3",
            "-m",
            "jupyterhub_idle_culler",
            "--timeout=3600",
            "--cull-every=300",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": [
            "list:users",
            "read:users:activity",
            "read:servers",
            "delete:servers",
        ],
        "services": ["idle-culler"],
    }
]
