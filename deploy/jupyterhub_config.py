# JupyterHub for coachkit: each coach signs in to the Hub and gets a coachkit server
# of their own, which shows only their own team. docs/deploy.md has every step.
#
# How it fits together:
# - The Hub signs people in (your authenticator below) and starts a server per user.
# - That server is jhsingle-native-proxy, which lets in only the server's owner
#   (the Hub's sign-in), and runs `coachkit serve --jupyterhub` behind it. No
#   JupyterLab, no terminal: the coach gets the workbooks and nothing else.
# - coachkit knows the coach by JUPYTERHUB_USER, the Hub's user name. Give each
#   coach that sign-in name once, on the shared store:
#       coachkit users add "Ann Example" --login ann --db postgresql://...
#   (coachkit users change NAME --login ann, for someone already there.)
# - Every server uses the same store on PostgreSQL (COACHKIT_DB below).
#
# The image (or environment) the servers run in needs:
#     pip install coachkit jhsingle-native-proxy "tornado<6.6"
# jhsingle-native-proxy 0.8.3 checks websocket origins itself in a way tornado 6.6
# changed: with tornado 6.6 every workbook page stays empty (websocket 403).
#
# Tried by hand with JupyterHub 6.1.1 and jhsingle-native-proxy 0.8.3, with only the
# authenticator, the spawner and the paths swapped (docs/deploy.md says what was
# seen); tests/test_browser_proxy.py checks coachkit's side with a stand-in proxy
# on every test run.

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
# container's 127.0.0.1) is reachable only through that coach's jhsingle-native-proxy.
# Do not use LocalProcessSpawner: there every user of the machine could reach every
# other coach's coachkit port on 127.0.0.1 directly, past the Hub's sign-in.
c.JupyterHub.spawner_class = "docker"
c.DockerSpawner.image = "your-registry/coachkit-singleuser:latest"  # has the pip line
c.DockerSpawner.remove = True  # nothing is kept in the container: the store is shared
# The containers must reach the Hub; see the DockerSpawner docs for your network.
# c.DockerSpawner.network_name = "jupyterhub"
# c.JupyterHub.hub_ip = "0.0.0.0"

# --- What each coach's server runs ----------------------------------------------------
c.Spawner.cmd = [
    "jhsingle-native-proxy",
    # coachkit listens on a free port of its own choosing ({port} below).
    "--destport",
    "0",
    # coachkit needs a few seconds to start its workbook server (10 s by default).
    "--ready-timeout",
    "60",
    # Then the command it supervises. "{--}" becomes "--" for that command, so the
    # options reach coachkit and not jhsingle-native-proxy.
    "coachkit",
    "serve",
    "{--}port",
    "{port}",
    # The coach is JUPYTERHUB_USER; the address prefix (/user/ann/) comes from
    # JUPYTERHUB_SERVICE_PREFIX, which jhsingle-native-proxy strips.
    "{--}jupyterhub",
]

# The shared store. Every coach's server uses it; coachkit shows each coach only
# their own team. The coach cannot read this setting: the server runs no code sent
# from the browser.
c.Spawner.environment = {
    "COACHKIT_DB": "postgresql://coachkit:PASSWORD@db.example.com/coachkit",
}

# Hub admins: with admin_access on, an admin can open a coach's server and then sees
# what that coach sees. Leave it off unless that is what you want.
c.JupyterHub.admin_access = False

# Stop servers nobody has used for an hour (pip install jupyterhub-idle-culler):
# c.JupyterHub.services = [{
#     "name": "idle-culler",
#     "command": ["python3", "-m", "jupyterhub_idle_culler", "--timeout=3600"],
# }]
# c.JupyterHub.load_roles = [{
#     "name": "idle-culler",
#     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
#     "services": ["idle-culler"],
# }]
