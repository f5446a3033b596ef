/**
 * Projects, members, users and robot accounts (`/projects`, `/users`,
 * `/robots`). Who may do what (Harbor's rules):
 * - projects: anyone sees public projects and those they are a member of
 *   (system admins see all); any signed-in user may create a project and
 *   becomes its admin; project admins change, and delete empty, projects;
 * - members: project admins (and system admins);
 * - users: system admins; a user may read themselves and change their own password;
 * - robots: system admins for any projects; project admins for robots whose
 *   every permission is on projects they administer.
 * A project the caller may not see answers 404, like one that does not exist.
 */
import type { AccessControl, ProjectRecord, RobotRecord } from '../access/index.js';
import type { Caller } from '../http/index.js';
import type { StateStore } from '../state/index.js';
import {
  type ApiRoute,
  badRequest,
  conflict,
  forbidden,
  notFound,
  pageOf,
  S,
  signedIn,
  str,
} from './route.js';

export interface AccessServices {
  readonly access: AccessControl;
  readonly state: StateStore;
}

const ROLE = { type: 'string', enum: ['admin', 'maintainer', 'developer', 'guest'] } as const;
const PROJECT = {
  type: 'object',
  required: ['name', 'public'],
  properties: { name: S.string, public: S.bool, created: { type: 'integer' }, role: ROLE },
} as const;
const MEMBER = {
  type: 'object',
  properties: { project: S.string, user: S.string, role: ROLE, created: { type: 'integer' } },
} as const;
const USER = {
  type: 'object',
  properties: { name: S.string, admin: S.bool, disabled: S.bool, created: { type: 'integer' } },
} as const;
const PERMISSION = {
  type: 'object',
  required: ['project', 'actions'],
  additionalProperties: false,
  properties: {
    project: S.name,
    actions: {
      type: 'array',
      minItems: 1,
      maxItems: 3,
      items: { type: 'string', enum: ['pull', 'push', 'delete'] },
    },
  },
} as const;
const ROBOT = {
  type: 'object',
  properties: {
    name: S.string,
    description: S.string,
    expiresAt: { type: ['integer', 'null'] },
    disabled: S.bool,
    created: { type: 'integer' },
    permissions: { type: 'array', items: PERMISSION },
  },
} as const;

async function requireAdmin(s: AccessServices, caller: Caller): Promise<void> {
  signedIn(caller);
  if (!(await s.access.isAdmin(caller))) throw forbidden('only system administrators may do this');
}

/** The project if the caller may see it (public, member, or system admin); else 404. */
async function visibleProject(s: AccessServices, caller: Caller, name: string): Promise<ProjectRecord> {
  const p = await s.access.projects.get(name);
  if (p && (p.public || (await s.access.isAdmin(caller)) || (await s.access.roleOf(caller, name)))) return p;
  throw notFound(`project ${name}`);
}

/** The project if the caller administers it (project admin or system admin). */
async function administeredProject(s: AccessServices, caller: Caller, name: string): Promise<ProjectRecord> {
  signedIn(caller);
  const p = await visibleProject(s, caller, name);
  if ((await s.access.isAdmin(caller)) || (await s.access.roleOf(caller, name)) === 'admin') return p;
  throw forbidden(`only admins of project ${name} may do this`);
}

async function mayManageRobot(
  s: AccessServices,
  caller: Caller,
  robot: Pick<RobotRecord, 'permissions'>,
): Promise<boolean> {
  if (await s.access.isAdmin(caller)) return true;
  if (robot.permissions.length === 0) return false;
  for (const p of robot.permissions) {
    if ((await s.access.roleOf(caller, p.project)) !== 'admin') return false;
  }
  return true;
}

export function accessRoutes(s: AccessServices): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/projects',
      id: 'listProjects',
      summary: 'Projects the caller may see, with the caller’s role',
      tag: 'projects',
      access: 'anyone (public projects, own memberships; system admins see all)',
      responses: { 200: pageOf(PROJECT) },
      async handler({ caller }) {
        const admin = await s.access.isAdmin(caller);
        const items = [];
        for (const p of await s.access.projects.list()) {
          const role = caller.anonymous ? undefined : await s.access.roleOf(caller, p.name);
          if (admin || p.public || role) items.push({ ...p, ...(role ? { role } : {}) });
        }
        return { status: 200, body: { items } };
      },
    },
    {
      method: 'POST',
      path: '/projects',
      id: 'createProject',
      summary: 'Creates a project (private unless `public`); the creator becomes its admin',
      tag: 'projects',
      access: 'signed-in users (not robots)',
      body: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: S.name, public: S.bool },
      },
      responses: { 201: PROJECT },
      async handler({ caller, body }) {
        signedIn(caller);
        if (caller.name.startsWith('robot$')) throw forbidden('robot accounts may not create projects');
        const b = body as { name: string; public?: boolean };
        const p = await s.access.projects.create(b.name, { public: b.public === true });
        if (!(await s.access.isAdmin(caller)))
          await s.access.projects.members.add(p.name, caller.name, 'admin');
        return { status: 201, body: p };
      },
    },
    {
      method: 'GET',
      path: '/projects/{project}',
      id: 'getProject',
      summary: 'One project',
      tag: 'projects',
      access: 'whoever may see the project',
      params: { project: S.name },
      responses: { 200: PROJECT },
      async handler({ caller, params }) {
        const p = await visibleProject(s, caller, str(params.project));
        const role = caller.anonymous ? undefined : await s.access.roleOf(caller, p.name);
        return { status: 200, body: { ...p, ...(role ? { role } : {}) } };
      },
    },
    {
      method: 'PATCH',
      path: '/projects/{project}',
      id: 'updateProject',
      summary: 'Makes a project public or private',
      tag: 'projects',
      access: 'project admins',
      params: { project: S.name },
      body: {
        type: 'object',
        required: ['public'],
        additionalProperties: false,
        properties: { public: S.bool },
      },
      responses: { 200: PROJECT },
      async handler({ caller, params, body }) {
        const p = await administeredProject(s, caller, str(params.project));
        await s.access.projects.setPublic(p.name, (body as { public: boolean }).public);
        return { status: 200, body: await s.access.projects.get(p.name) };
      },
    },
    {
      method: 'DELETE',
      path: '/projects/{project}',
      id: 'deleteProject',
      summary: 'Deletes an empty project with its memberships',
      tag: 'projects',
      access: 'project admins',
      params: { project: S.name },
      responses: { 204: null },
      async handler({ caller, params }) {
        const p = await administeredProject(s, caller, str(params.project));
        const repos = await s.state.listRepositories({ n: 1, projects: [p.name] });
        if (repos.items.length > 0) {
          throw conflict(
            `project ${p.name} still has repositories (${repos.items[0] ?? ''}…); delete them first`,
          );
        }
        await s.access.projects.delete(p.name);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/projects/{project}/members',
      id: 'listMembers',
      summary: 'Members of a project and their roles',
      tag: 'projects',
      access: 'project members',
      params: { project: S.name },
      responses: { 200: pageOf(MEMBER) },
      async handler({ caller, params }) {
        signedIn(caller);
        const p = await visibleProject(s, caller, str(params.project));
        if (!(await s.access.isAdmin(caller)) && !(await s.access.roleOf(caller, p.name))) {
          throw forbidden(`only members of ${p.name} see its members`);
        }
        return { status: 200, body: { items: await s.access.projects.members.list(p.name) } };
      },
    },
    {
      method: 'PUT',
      path: '/projects/{project}/members/{user}',
      id: 'setMember',
      summary: 'Adds a user to a project or changes their role',
      tag: 'projects',
      access: 'project admins',
      params: { project: S.name, user: S.name },
      body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role: ROLE } },
      responses: { 200: MEMBER },
      async handler({ caller, params, body }) {
        const p = await administeredProject(s, caller, str(params.project));
        const user = str(params.user);
        const role = (body as { role: 'admin' | 'maintainer' | 'developer' | 'guest' }).role;
        if (!(await s.access.users.get(user))) throw notFound(`user ${user}`);
        const existing = (await s.access.projects.members.list(p.name)).find((m) => m.user === user);
        if (existing) await s.access.projects.members.update(p.name, user, role);
        else await s.access.projects.members.add(p.name, user, role);
        const now = (await s.access.projects.members.list(p.name)).find((m) => m.user === user);
        return { status: 200, body: now };
      },
    },
    {
      method: 'DELETE',
      path: '/projects/{project}/members/{user}',
      id: 'removeMember',
      summary: 'Removes a user from a project',
      tag: 'projects',
      access: 'project admins',
      params: { project: S.name, user: S.name },
      responses: { 204: null },
      async handler({ caller, params }) {
        const p = await administeredProject(s, caller, str(params.project));
        if (!(await s.access.projects.members.remove(p.name, str(params.user)))) {
          throw notFound(`member ${str(params.user)} of ${p.name}`);
        }
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/users',
      id: 'listUsers',
      summary: 'Every user',
      tag: 'users',
      access: 'system admins',
      responses: { 200: pageOf(USER) },
      async handler({ caller }) {
        await requireAdmin(s, caller);
        return { status: 200, body: { items: await s.access.users.list() } };
      },
    },
    {
      method: 'POST',
      path: '/users',
      id: 'createUser',
      summary: 'Creates a user',
      tag: 'users',
      access: 'system admins',
      body: {
        type: 'object',
        required: ['name', 'password'],
        additionalProperties: false,
        properties: {
          name: S.name,
          password: { type: 'string', minLength: 1, maxLength: 1024 },
          admin: S.bool,
        },
      },
      responses: { 201: USER },
      async handler({ caller, body }) {
        await requireAdmin(s, caller);
        const b = body as { name: string; password: string; admin?: boolean };
        return {
          status: 201,
          body: await s.access.users.create(b.name, b.password, { admin: b.admin === true }),
        };
      },
    },
    {
      method: 'GET',
      path: '/users/{user}',
      id: 'getUser',
      summary: 'One user',
      tag: 'users',
      access: 'system admins, or the user themselves',
      params: { user: S.name },
      responses: { 200: USER },
      async handler({ caller, params }) {
        signedIn(caller);
        const name = str(params.user);
        if (caller.name !== name) await requireAdmin(s, caller);
        const u = await s.access.users.get(name);
        if (!u) throw notFound(`user ${name}`);
        return { status: 200, body: u };
      },
    },
    {
      method: 'PATCH',
      path: '/users/{user}',
      id: 'updateUser',
      summary: 'Grants or revokes system administration, disables or enables a user',
      tag: 'users',
      access: 'system admins',
      params: { user: S.name },
      body: { type: 'object', additionalProperties: false, properties: { admin: S.bool, disabled: S.bool } },
      responses: { 200: USER },
      async handler({ caller, params, body }) {
        await requireAdmin(s, caller);
        const name = str(params.user);
        if (!(await s.access.users.get(name))) throw notFound(`user ${name}`);
        const b = body as { admin?: boolean; disabled?: boolean };
        if (name === caller.name && (b.admin === false || b.disabled === true)) {
          throw badRequest('you may not revoke or disable your own administrator account');
        }
        if (b.admin !== undefined) await s.access.users.setAdmin(name, b.admin);
        if (b.disabled !== undefined) await s.access.users.setDisabled(name, b.disabled);
        return { status: 200, body: await s.access.users.get(name) };
      },
    },
    {
      method: 'PUT',
      path: '/users/{user}/password',
      id: 'setPassword',
      summary: "Sets a user's password",
      tag: 'users',
      access: 'system admins, or the user themselves',
      params: { user: S.name },
      body: {
        type: 'object',
        required: ['password'],
        additionalProperties: false,
        properties: { password: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
      responses: { 204: null },
      async handler({ caller, params, body }) {
        signedIn(caller);
        const name = str(params.user);
        if (caller.name !== name) await requireAdmin(s, caller);
        if (!(await s.access.users.get(name))) throw notFound(`user ${name}`);
        await s.access.users.setPassword(name, (body as { password: string }).password);
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/users/{user}',
      id: 'deleteUser',
      summary: 'Deletes a user with their memberships',
      tag: 'users',
      access: 'system admins',
      params: { user: S.name },
      responses: { 204: null },
      async handler({ caller, params }) {
        await requireAdmin(s, caller);
        const name = str(params.user);
        if (name === caller.name) throw badRequest('you may not delete your own account');
        if (!(await s.access.users.delete(name))) throw notFound(`user ${name}`);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/robots',
      id: 'listRobots',
      summary: 'Robot accounts the caller may manage, optionally with rights on one project',
      tag: 'robots',
      access: 'system admins (all), project admins (their projects’ robots)',
      query: { project: S.name },
      responses: { 200: pageOf(ROBOT) },
      async handler({ caller, query }) {
        signedIn(caller);
        const items = [];
        for (const r of await s.access.robots.list()) {
          if (typeof query.project === 'string' && !r.permissions.some((p) => p.project === query.project))
            continue;
          if (await mayManageRobot(s, caller, r)) items.push(r);
        }
        return { status: 200, body: { items } };
      },
    },
    {
      method: 'POST',
      path: '/robots',
      id: 'createRobot',
      summary: 'Creates a robot account; the answer holds its secret, shown this once',
      tag: 'robots',
      access: 'system admins, or admins of every project named in the permissions',
      body: {
        type: 'object',
        required: ['name', 'permissions'],
        additionalProperties: false,
        properties: {
          name: S.name,
          description: { type: 'string', maxLength: 1024 },
          expiresAt: { type: ['integer', 'null'] },
          permissions: { type: 'array', minItems: 1, maxItems: 100, items: PERMISSION },
        },
      },
      responses: {
        201: {
          type: 'object',
          required: ['robot', 'secret'],
          properties: { robot: ROBOT, secret: S.string },
        },
      },
      async handler({ caller, body }) {
        signedIn(caller);
        const b = body as {
          name: string;
          description?: string;
          expiresAt?: number | null;
          permissions: { project: string; actions: ('pull' | 'push' | 'delete')[] }[];
        };
        if (!(await mayManageRobot(s, caller, b))) {
          throw forbidden('you may create robots only for projects you administer');
        }
        const created = await s.access.robots.create({
          name: b.name,
          permissions: b.permissions,
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
        });
        return { status: 201, body: created };
      },
    },
    {
      method: 'DELETE',
      path: '/robots/{robot}',
      id: 'deleteRobot',
      summary: 'Deletes a robot account',
      tag: 'robots',
      access: 'whoever may manage the robot',
      params: { robot: S.name },
      responses: { 204: null },
      async handler({ caller, params }) {
        signedIn(caller);
        const r = await s.access.robots.get(str(params.robot));
        if (!r || !(await mayManageRobot(s, caller, r))) throw notFound(`robot ${str(params.robot)}`);
        await s.access.robots.delete(r.name);
        return { status: 204 };
      },
    },
  ];
}
